/*
 * Conditional questions: hides a question that does not apply given an answer on the same page,
 * and shows it again when it does. UX only: the server applies the same conditions itself and
 * ignores answers to questions that do not apply, and without this script every question shows.
 *
 * Markup, on the question's wrapper:
 *   data-show-if-field="rls_screen" data-show-if-not="no"        shown once an answer other
 *                                                                than "no" is chosen
 *   data-show-if-field="rls_screen" data-show-if-in="yes,unsure"  shown when the answer is
 *                                                                "yes" or "unsure"
 * Both lists are comma-separated. With no answer chosen the question stays hidden. An answer
 * that is itself inside a hidden question counts as no answer, so chains of conditions work.
 * If the named field is not on the page at all, the wrapper is left alone (the server decided).
 */
(function () {
  "use strict";

  function list(text) {
    return text
      .split(",")
      .map(function (item) {
        return item.trim();
      })
      .filter(function (item) {
        return item !== "";
      });
  }

  // The controls answering the named question, in the wrapper's form (or the page).
  function controlsFor(wrapper, name) {
    var scope = wrapper.closest("form") || document;
    return Array.prototype.filter.call(scope.querySelectorAll("input, select, textarea"), function (el) {
      return el.name === name && !el.disabled;
    });
  }

  // The chosen values, or null when the field is not on the page.
  function chosenValues(controls) {
    if (controls.length === 0) {
      return null;
    }
    var values = [];
    controls.forEach(function (control) {
      if (control.closest("[hidden]")) {
        return; // an answer to a question that does not apply
      }
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) {
          values.push(control.value);
        }
      } else if (control.tagName === "SELECT") {
        Array.prototype.forEach.call(control.selectedOptions || [], function (option) {
          if (option.value !== "") {
            values.push(option.value);
          }
        });
      } else if (control.value !== "") {
        values.push(control.value);
      }
    });
    return values;
  }

  function applies(wrapper) {
    var values = chosenValues(controlsFor(wrapper, wrapper.getAttribute("data-show-if-field")));
    if (values === null) {
      return !wrapper.hidden;
    }
    if (wrapper.hasAttribute("data-show-if-in")) {
      var wanted = list(wrapper.getAttribute("data-show-if-in"));
      return values.some(function (value) {
        return wanted.indexOf(value) !== -1;
      });
    }
    if (wrapper.hasAttribute("data-show-if-not")) {
      var excluded = list(wrapper.getAttribute("data-show-if-not"));
      return (
        values.length > 0 &&
        values.every(function (value) {
          return excluded.indexOf(value) === -1;
        })
      );
    }
    return !wrapper.hidden;
  }

  function update() {
    var wrappers = document.querySelectorAll("[data-show-if-field]");
    // Repeat until nothing changes, so hiding one question also hides those depending on it.
    for (var pass = 0; pass <= wrappers.length; pass += 1) {
      var changed = false;
      Array.prototype.forEach.call(wrappers, function (wrapper) {
        var show = applies(wrapper);
        if (wrapper.hidden === show) {
          wrapper.hidden = !show;
          changed = true;
        }
      });
      if (!changed) {
        return;
      }
    }
  }

  if (!document.querySelector("[data-show-if-field]")) {
    return;
  }
  document.addEventListener("change", update);
  document.addEventListener("input", update);
  // Answers the browser restores on Back or after a reload arrive after this script has run.
  window.addEventListener("pageshow", update);
  update();
})();
