// Staff sessions end after a period without requests (STAFF_IDLE_MINUTES). Two minutes before
// that, offer to stay signed in; when the time is up, go to the sign-in page so no patient
// data stays on an unattended screen.
(function () {
  "use strict";
  // Staff pages speak English (STAFF_LANGUAGE_CODE) and load no catalogue: the words are marked
  // all the same, and stay as written without one.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };
  var body = document.body;
  // The staff pages set these on <body>; the admin, whose <body> is Django's, on a <meta>.
  var config = document.querySelector("[data-session-seconds]");
  if (!config) { return; }
  var seconds = parseInt(config.getAttribute("data-session-seconds") || "", 10);
  var keepaliveUrl = config.getAttribute("data-keepalive-url");
  var loginUrl = config.getAttribute("data-login-url") || "/accounts/login/";
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
    var minutes = Math.round(warnBefore / 60);
    var left = warnBefore >= 60
      ? interpolate(ngettext("%(count)s minute", "%(count)s minutes", minutes), { count: minutes }, true)
      : interpolate(ngettext("%(count)s second", "%(count)s seconds", warnBefore), { count: warnBefore }, true);
    text.textContent = interpolate(
      gettext("For security you will be signed out in %(time)s unless you continue."), { time: left }, true
    );
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-primary";
    button.textContent = gettext("Stay signed in");
    button.addEventListener("click", stayIn);
    banner.appendChild(text);
    banner.appendChild(button);
    // The admin's #main is a row of columns; its #content is where a notice reads well.
    var host = document.getElementById("content") || document.getElementById("main") || body;
    host.insertBefore(banner, host.firstChild);
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
