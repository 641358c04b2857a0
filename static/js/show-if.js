/*
 * Conditional questions: hides a question that does not apply given an answer on the same page,
 * and shows it again when it does. UX only: the server applies the same conditions itself and
 * ignores answers to questions that do not apply, and without this script every question shows.
 *
 * Markup, on the question's wrapper (intake/questionnaire.py writes it):
 *   data-show-if-field="rls_screen" data-show-if-not="no"        shown once an answer other
 *                                                                than "no" is chosen
 *   data-show-if-field="rls_screen" data-show-if-in="yes,unsure"  shown when the answer is
 *                                                                "yes" or "unsure" (for tick
 *                                                                boxes: any of them ticked)
 *   data-show-if-field="constipation_4wk" data-show-if-unless="no"
 *                                                                shown unless "no" is chosen
 *                                                                (no answer yet: shown)
 * and, for "any of several answers", further rules as JSON, each {"field", and one of "in",
 * "not" or "unless" with a list of values}:
 *   data-show-if-or='[{"field":"rls_on_treatment","in":["yes"]}]'
 * The question shows when any rule holds. The lists in the first rule are comma-separated.
 *   data-show-if-incomplete="phq9_1,...,phq9_9"                  shown while any of these
 *                                                                fields has no answer (the
 *                                                                PHQ-9's fallback question)
 * With no answer chosen, "in" and "not" do not hold. An answer that is itself inside a hidden
 * question counts as no answer, so chains of conditions work. A rule whose field is not on the
 * page at all is left out; with none left, the wrapper is left alone (the server decided).
 * The server renders each wrapper hidden or shown as the answers it holds say, so nothing moves
 * as the page loads; this script only follows the patient's changes.
 */
(function () {
  "use strict";

  var TESTS = ["in", "not", "unless"];
  var SELECTOR = "[data-show-if-field], [data-show-if-incomplete]";

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

  // The wrapper's rules: the one in its attributes, then any in data-show-if-or.
  function rulesOf(wrapper) {
    var first = { field: wrapper.getAttribute("data-show-if-field") };
    TESTS.forEach(function (test) {
      var attribute = "data-show-if-" + test;
      if (wrapper.hasAttribute(attribute)) {
        first[test] = list(wrapper.getAttribute(attribute));
      }
    });
    var rules = [first];
    var more = wrapper.getAttribute("data-show-if-or");
    if (more) {
      try {
        rules = rules.concat(JSON.parse(more));
      } catch (error) {
        // Malformed markup: keep to the first rule rather than hide the question for good.
      }
    }
    return rules;
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

  function chosenAny(values, wanted) {
    return values.some(function (value) {
      return wanted.indexOf(value) !== -1;
    });
  }

  // Whether one rule holds for the chosen values; null when it names no test.
  function holds(rule, values) {
    if (Array.isArray(rule["in"])) {
      return chosenAny(values, rule["in"]);
    }
    if (Array.isArray(rule.not)) {
      return values.length > 0 && !chosenAny(values, rule.not);
    }
    if (Array.isArray(rule.unless)) {
      return !chosenAny(values, rule.unless);
    }
    return null;
  }

  // Shown while any of the named fields is unanswered; null when none is on the page.
  function incomplete(wrapper) {
    var names = list(wrapper.getAttribute("data-show-if-incomplete"));
    var onPage = false;
    var missing = false;
    names.forEach(function (name) {
      var values = chosenValues(controlsFor(wrapper, name));
      if (values !== null) {
        onPage = true;
        missing = missing || values.length === 0;
      }
    });
    return onPage ? missing : null;
  }

  function applies(wrapper) {
    if (wrapper.hasAttribute("data-show-if-incomplete")) {
      var result = incomplete(wrapper);
      return result === null ? !wrapper.hidden : result;
    }
    var decided = false;
    var show = false;
    rulesOf(wrapper).forEach(function (rule) {
      var values = rule && rule.field ? chosenValues(controlsFor(wrapper, rule.field)) : null;
      var result = values === null ? null : holds(rule, values);
      if (result !== null) {
        decided = true;
        show = show || result;
      }
    });
    return decided ? show : !wrapper.hidden;
  }

  function update() {
    var wrappers = document.querySelectorAll(SELECTOR);
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

  if (!document.querySelector(SELECTOR)) {
    return;
  }
  document.addEventListener("change", update);
  document.addEventListener("input", update);
  // Answers the browser restores on Back or after a reload arrive after this script has run.
  window.addEventListener("pageshow", update);
  update();
})();
