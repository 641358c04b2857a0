/*
 * "None of these" in a tick list (templates/intake/patient/_tick_list.html): ticking it
 * unticks every other box of the list, and ticking another box unticks it. The server refuses
 * the two together anyway, with a message that says so.
 *
 * Markup: <fieldset data-tick-list> ... <input type="checkbox" data-none-of-these> </fieldset>
 */
(function () {
  "use strict";

  function groupCount(details) {
    var count = details.querySelector(".tick-group__count");
    if (!count) {
      return;
    }
    var ticked = details.querySelectorAll("input[type=checkbox]:checked").length;
    count.textContent = ticked ? " \u00b7 " + ticked + " ticked" : "";
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
