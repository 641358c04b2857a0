/*
 * Focus management for one-question-step pages, so keyboard and screen reader users start in
 * the right place:
 *   - on load, focus the error summary (#error-summary, tabindex="-1") if the step came back with
 *     errors, otherwise the element marked data-focus-on-load (the step's <h1 tabindex="-1">);
 *   - a link in the error summary to "#id_field" focuses that field; when the target is a
 *     wrapper (a radio group's fieldset or div) its first answer, or the chosen one, is focused;
 *   - a button or link with data-confirm="Question?" asks window.confirm and does nothing if the
 *     patient says no.
 */
(function () {
  "use strict";

  var FIELDS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";

  function focusOnLoad() {
    var target =
      document.getElementById("error-summary") || document.querySelector("[data-focus-on-load]");
    if (target) {
      target.focus();
    }
  }

  // The control to focus for a link target: the target itself, or the first answer inside it
  // (the chosen radio if there is one, as the Tab key would).
  function controlFor(target) {
    if (target.matches(FIELDS)) {
      return target;
    }
    var first = target.querySelector(FIELDS);
    if (first && first.type === "radio") {
      var checked = target.querySelector("input[type=radio]:checked:not([disabled])");
      return checked || first;
    }
    return first;
  }

  // What to scroll into view so the question is visible above the answer: the group's legend,
  // or the field's label.
  function questionFor(target, control) {
    var fieldset = target.closest("fieldset");
    if (fieldset && fieldset.contains(control)) {
      var legend = fieldset.querySelector("legend");
      if (legend) {
        return legend;
      }
    }
    if (control.id && window.CSS && CSS.escape) {
      var label = document.querySelector('label[for="' + CSS.escape(control.id) + '"]');
      if (label && control.type !== "radio" && control.type !== "checkbox") {
        return label;
      }
    }
    return target;
  }

  function onSummaryClick(event) {
    var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (!link) {
      return;
    }
    var id;
    try {
      id = decodeURIComponent(link.getAttribute("href").slice(1));
    } catch (error) {
      return;
    }
    var target = id ? document.getElementById(id) : null;
    var control = target ? controlFor(target) : null;
    if (!control) {
      return; // let the browser follow the link
    }
    event.preventDefault();
    questionFor(target, control).scrollIntoView();
    control.focus({ preventScroll: true });
  }

  function onConfirmClick(event) {
    var element = event.target.closest ? event.target.closest("a[data-confirm], button[data-confirm], input[data-confirm]") : null;
    if (element && !window.confirm(element.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.addEventListener("click", onSummaryClick);
  }
  document.addEventListener("click", onConfirmClick);

  focusOnLoad();
})();
