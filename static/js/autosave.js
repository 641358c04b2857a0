/*
 * Autosave: keeps a questionnaire step's answers saved as a draft while the patient types, so
 * closing the tab or losing the connection loses little. Progressive enhancement only: without
 * this script every answer is still saved when the patient presses the step's button.
 *
 * Markup:
 *   <form method="post" data-autosave-url="/.../autosave/" data-autosave-revision="6">
 *     {% csrf_token %} <input type="hidden" name="base_revision" value="6"> ...
 *     <p data-autosave-status role="status" aria-live="polite"></p>
 *   </form>
 *
 * Each save POSTs the form's fields urlencoded (csrfmiddlewaretoken included) plus base_revision,
 * the draft revision this page last knew, so the server can refuse to overwrite newer answers
 * saved from another tab. The server answers with JSON:
 *   200 {"ok": true, "revision": 7, "saved_at": "14:05"}  -> remember revision 7
 *   200 {..., "help_url": "/intake/support/"}             -> an answer needs help now: go there
 *   409 {"ok": false, "stale": true, "message": "..."}    -> show message, stop autosaving
 *   anything else                                          -> say "not saved yet", retry later
 *
 * Saves never overlap: a change made while a save is on its way is sent after its answer, with
 * the revision that answer gave.
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

  var DEBOUNCE_MS = 1500;
  // How long a normal submit waits for a save already on its way, to send its new revision.
  var SUBMIT_WAIT_MS = 4000;
  var NOT_SAVED_MESSAGE = gettext("Not saved yet \u2014 your answers will be saved when you continue.");
  var STALE_MESSAGE = gettext(
    "These answers were changed in another window or tab. Reload this page to see the latest answers."
  );
  var RELOAD_MESSAGE = gettext("Reload this page to keep saving your answers automatically.");

  if (!window.fetch || !window.FormData || !window.Promise) {
    return;
  }

  // Browsers without fetch keepalive cannot send a fetch as the page goes away; they get a beacon.
  var fetchKeepalive = typeof Request !== "undefined" && "keepalive" in Request.prototype;

  function setUp(form) {
    var url = form.getAttribute("data-autosave-url");
    if (!url) {
      return;
    }
    var status =
      form.querySelector("[data-autosave-status]") || document.querySelector("[data-autosave-status]");

    var revision = form.getAttribute("data-autosave-revision") || "";
    var timer = null;
    var inFlight = null; // the Promise of the save on its way, if any
    var dirty = false; // changed since the last save was sent
    var stopped = false; // another tab saved newer answers, or our revision is unknown
    var submitting = false; // the form is being submitted normally
    var sentBeacon = false; // a beacon's answer never arrives, so its revision is unknown

    function showStatus(text) {
      if (status && status.textContent !== text) {
        status.textContent = text;
      }
    }

    function setRevision(value) {
      revision = String(value);
      form.setAttribute("data-autosave-revision", revision);
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name === "base_revision") {
          field.value = revision;
        }
      });
    }

    function cancelTimer() {
      if (timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
    }

    // The form's fields and base_revision, urlencoded (application/x-www-form-urlencoded, for
    // fetch and beacon alike): the server reads that several times faster than multipart, and
    // the step forms hold no files. Browsers without URLSearchParams send multipart as before.
    function formBody() {
      var data = new FormData(form);
      data.set("base_revision", revision);
      return window.URLSearchParams ? new URLSearchParams(data) : data;
    }

    function handleResponse(response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (body) {
          if (response.status === 409) {
            stopped = true;
            cancelTimer();
            showStatus(body && body.message ? String(body.message) : STALE_MESSAGE);
            return;
          }
          if (response.ok && body && body.ok === true) {
            if (body.revision !== undefined && body.revision !== null) {
              setRevision(body.revision);
            }
            showStatus(
              body.saved_at
                ? interpolate(gettext("Saved at %(time)s"), { time: body.saved_at }, true)
                : gettext("Saved")
            );
            if (typeof body.help_url === "string" && body.help_url.charAt(0) === "/") {
              // Emergency advice or crisis resources, shown the moment an answer calls for
              // them; everything typed so far is saved, and the page leads back here.
              stopped = true;
              window.location.assign(body.help_url);
            }
            return;
          }
          throw new Error("Autosave refused: HTTP " + response.status);
        });
    }

    function save() {
      cancelTimer();
      if (stopped || submitting || !dirty) {
        return;
      }
      if (inFlight) {
        // Sent once the current save has answered, with the revision it gives us.
        return;
      }
      dirty = false;
      inFlight = window
        .fetch(url, {
          method: "POST",
          body: formBody(),
          credentials: "same-origin",
          headers: { "X-Requested-With": "XMLHttpRequest" },
          // Lets the save finish if the page is closed meanwhile.
          keepalive: true,
        })
        .then(handleResponse)
        .then(
          function () {
            inFlight = null;
            if (dirty && timer === null) {
              // Changes made while this save was on its way, and no pause pending for them.
              save();
            }
          },
          function () {
            inFlight = null;
            // Sent again after the next change, or when the page is hidden.
            dirty = true;
            showStatus(NOT_SAVED_MESSAGE);
          }
        );
    }

    function onEdit(event) {
      if (stopped || submitting || !event.target.name) {
        return;
      }
      dirty = true;
      cancelTimer();
      timer = window.setTimeout(save, DEBOUNCE_MS);
    }

    // The page is hidden or going away: save now rather than after the pause.
    function flush() {
      if (stopped || submitting || !dirty) {
        return;
      }
      if (inFlight || fetchKeepalive || !navigator.sendBeacon) {
        save();
        return;
      }
      cancelTimer();
      if (navigator.sendBeacon(url, formBody())) {
        dirty = false;
        sentBeacon = true;
      }
    }

    form.addEventListener("input", onEdit);
    form.addEventListener("change", onEdit);

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        flush();
      }
    });
    window.addEventListener("pagehide", flush);

    window.addEventListener("pageshow", function (event) {
      if (event.persisted && (sentBeacon || submitting)) {
        // Back from the browser's page cache after a beacon or a normal submit: the revision
        // they made never reached this page, and saving with the old one would be refused as
        // if another tab had saved.
        stopped = true;
        cancelTimer();
        showStatus(RELOAD_MESSAGE);
      }
    });

    // Remembers the pressed submit button for browsers without SubmitEvent.submitter.
    var lastSubmitter = null;
    form.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button, input") : null;
      if (button && button.type === "submit") {
        lastSubmitter = button;
      }
    });

    // A normal submit sends every field itself. Listening on window lets other handlers cancel
    // the submit first (defaultPrevented), in which case autosaving carries on.
    window.addEventListener("submit", function (event) {
      if (event.target !== form || event.defaultPrevented || submitting) {
        return;
      }
      cancelTimer();
      if (!inFlight) {
        submitting = true;
        return;
      }
      // A save is on its way and will change the revision: wait for it so the submit carries
      // the new base_revision instead of being refused as stale.
      event.preventDefault();
      submitting = true;
      var submitter = event.submitter || lastSubmitter;
      var waited = new Promise(function (resolve) {
        window.setTimeout(resolve, SUBMIT_WAIT_MS);
      });
      Promise.race([inFlight, waited]).then(function () {
        resubmit(form, submitter);
      });
    });
  }

  // Submits again, keeping the pressed button's name and value (e.g. "Back" or "Continue").
  function resubmit(form, submitter) {
    if (typeof form.requestSubmit === "function") {
      if (submitter && submitter.form === form) {
        form.requestSubmit(submitter);
      } else {
        form.requestSubmit();
      }
      return;
    }
    if (submitter && submitter.name) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = submitter.name;
      field.value = submitter.value;
      form.appendChild(field);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave-url]"), setUp);
})();
