/*
 * Sliders for 0-100 answers (templates/intake/patient/_slider.html). A slider not answered yet
 * has no name, so nothing is sent for it; the first move, by keyboard or pointer, gives it its
 * name and from then on the value shown beside it and read out follows it. Without this script
 * the page offers a number box instead (<noscript>).
 *
 * Markup: <input type="range" data-name="key" data-value-id="key_value" data-max="100">
 */
(function () {
  "use strict";

  // Words in the page's language from the catalogue (/jsi18n/, loaded before this script on
  // the patient's pages); in English where it is not loaded.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate =
    window.interpolate ||
    function (format, values, named) {
      if (named) {
        return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
      }
      var rest = values.slice();
      return format.replace(/%s/g, function () { return String(rest.shift()); });
    };

  function describe(input) {
    // The same words as the page's own (_slider.html).
    return interpolate(
      gettext("%(value)s out of %(max)s"),
      { value: input.value, max: input.getAttribute("data-max") },
      true
    );
  }

  function answered(input) {
    if (!input.name) {
      // Named before the event reaches the form, so autosave sends the new answer.
      input.name = input.getAttribute("data-name");
    }
    var wrapper = input.closest("[data-slider]");
    if (wrapper) {
      wrapper.classList.remove("slider--unset");
    }
    var shown = document.getElementById(input.getAttribute("data-value-id"));
    if (shown) {
      shown.textContent = describe(input);
    }
    input.setAttribute("aria-valuetext", describe(input));
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-slider] input[type=range]"), function (input) {
    input.addEventListener("input", function () {
      answered(input);
    });
    input.addEventListener("change", function () {
      answered(input);
    });
    // A tap or click on the middle of an unanswered slider moves nothing, so fires no input:
    // it still answers, with the value where the thumb stands.
    input.addEventListener("pointerup", function () {
      if (!input.name) {
        answered(input);
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });
})();
