/*
 * "None of these" in a tick list (intake/templatetags/patient_pages.py writes it): ticking it
 * unticks every other box of the list, and ticking another box unticks it. The server refuses
 * the two together anyway, with a message that says so.
 *
 * Markup: <fieldset data-tick-list> ... <input type="checkbox" data-none-of-these> </fieldset>
 */
(function () {
  "use strict";

  var interpolate =
    window.interpolate ||
    function (format, values, named) {
      if (named) {
        return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
      }
      var rest = values.slice();
      return format.replace(/%s/g, function () { return String(rest.shift()); });
    };
  var ngettext =
    window.ngettext ||
    function (singular, plural, count) { return count === 1 ? singular : plural; };

  function groupCount(details) {
    var count = details.querySelector(".tick-group__count");
    if (!count) {
      return;
    }
    var ticked = details.querySelectorAll("input[type=checkbox]:checked").length;
    // The same words as the page's own (intake/templatetags/patient_pages.py).
    count.textContent = ticked
      ? " \u00b7 " + interpolate(ngettext("%(ticked)s ticked", "%(ticked)s ticked", ticked), { ticked: ticked }, true)
      : "";
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-tick-list]"), function (list) {
    var none = list.querySelector("[data-none-of-these]");
    list.addEventListener("change", function (event) {
      var box = event.target;
      if (!box || box.type !== "checkbox" || !box.checked || !none) {
        Array.prototype.forEach.call(list.querySelectorAll("details"), groupCount);
        return;
      }
      Array.prototype.forEach.call(list.querySelectorAll("input[type=checkbox]"), function (other) {
        if (box === none ? other !== none : other === none) {
          other.checked = false;
        }
      });
      Array.prototype.forEach.call(list.querySelectorAll("details"), groupCount);
    });
  });
})();
