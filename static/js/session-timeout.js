// Staff sessions end after a period without requests (STAFF_IDLE_MINUTES). Two minutes before
// that, offer to stay signed in; when the time is up, go to the sign-in page so no patient
// data stays on an unattended screen.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-session-seconds") || "", 10);
  var keepaliveUrl = body.getAttribute("data-keepalive-url");
  var loginUrl = body.getAttribute("data-login-url") || "/accounts/login/";
  if (!seconds || !keepaliveUrl) { return; }
  var warnBefore = Math.min(120, Math.floor(seconds / 2));
  var warnTimer = null;
  var endTimer = null;
  var banner = null;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function hideBanner() {
    if (banner) { banner.remove(); banner = null; }
  }

  function showBanner() {
    hideBanner();
    banner = document.createElement("div");
    banner.className = "alert alert-warning session-warning d-flex flex-wrap align-items-center gap-2";
    banner.setAttribute("role", "alertdialog");
    banner.setAttribute("aria-live", "assertive");
    var text = document.createElement("span");
    text.textContent = "For security you will be signed out in 2 minutes unless you continue.";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-primary";
    button.textContent = "Stay signed in";
    button.addEventListener("click", stayIn);
    banner.appendChild(text);
    banner.appendChild(button);
    var main = document.getElementById("main");
    (main || body).insertBefore(banner, (main || body).firstChild);
    button.focus();
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(showBanner, (seconds - warnBefore) * 1000);
    endTimer = setTimeout(function () {
      window.location.assign(loginUrl + "?next=" + encodeURIComponent(window.location.pathname));
    }, seconds * 1000);
  }

  function stayIn() {
    fetch(keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" }
    }).then(function (response) {
      if (response.ok) { hideBanner(); schedule(); }
      else { window.location.assign(loginUrl); }
    }).catch(function () { /* offline: the timers stay as they are */ });
  }

  schedule();
})();
