/*
 * "Copy link" buttons: <button data-copy-from="input-id">. Copies the input's value to the
 * clipboard and says so next to the button; where the clipboard is not available (plain http
 * other than localhost) it selects the text so the user can copy it themselves.
 */
(function () {
  "use strict";

  // Words in the page's language from the catalogue (/jsi18n/, loaded before this script on
  // the patient's pages); in English where it is not loaded.
  var gettext = window.gettext || function (text) { return text; };

  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    if (!input) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      function say(text) {
        if (status) {
          status.textContent = text;
        }
      }
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { say(gettext("Link copied.")); },
          function () { say(gettext("Press Ctrl+C (or Cmd+C) to copy the selected link.")); }
        );
      } else {
        say(gettext("Press Ctrl+C (or Cmd+C) to copy the selected link."));
      }
    });
  });
})();
