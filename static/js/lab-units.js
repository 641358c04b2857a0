/*
 * Result rows (test, value, unit, date): once a test is chosen, its unit menu offers only the
 * units that test is reported in ("No unit" for the negative/positive tests), and picks the
 * unit when there is only one. The test select carries the map in data-lab-units; the server
 * checks the unit either way.
 */
(function () {
  "use strict";

  function unitSelectFor(testSelect) {
    var name = testSelect.name.replace(/-test$/, "-unit");
    return testSelect.form ? testSelect.form.querySelector('select[name="' + name + '"]') : null;
  }

  // On page load only the menu is narrowed: a unit the server sent back stays as it was.
  function restrict(testSelect, units, keepValue) {
    var unitSelect = unitSelectFor(testSelect);
    if (!unitSelect) {
      return;
    }
    var accepted = units[testSelect.value];
    var allowed = [];
    Array.prototype.forEach.call(unitSelect.options, function (option) {
      var ok = !accepted || (accepted.length ? accepted.indexOf(option.value) !== -1 : option.value === "");
      option.hidden = !ok;
      option.disabled = !ok;
      if (ok) {
        allowed.push(option);
      }
    });
    var current = unitSelect.options[unitSelect.selectedIndex];
    if (!keepValue && accepted && (!current || current.disabled || (allowed.length === 1 && current !== allowed[0]))) {
      if (allowed.length === 1) {
        unitSelect.value = allowed[0].value;
      } else if (current && current.disabled) {
        unitSelect.selectedIndex = -1;
      }
    }
  }

  document.querySelectorAll("select[data-lab-units]").forEach(function (testSelect) {
    var units;
    try {
      units = JSON.parse(testSelect.getAttribute("data-lab-units"));
    } catch (error) {
      return;
    }
    restrict(testSelect, units, true);
    testSelect.addEventListener("change", function () {
      restrict(testSelect, units, false);
    });
  });
})();
