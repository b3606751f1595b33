// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  onReady(function () {
    // Move focus to the error summary after a failed submit, so it is read out first.
    var summary = document.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
    // Error-summary links: focus the field itself, not just scroll to it.
    document.addEventListener("click", function (event) {
      var link = event.target.closest(".error-summary a[href^='#']");
      if (!link) { return; }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field) { event.preventDefault(); field.focus(); field.scrollIntoView({ block: "center" }); }
    });
  });
  // htmx requests carry the CSRF token from the page's meta tag, or (on an anonymous page,
  // which has no meta tag so that it starts no session) from a form's hidden field.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector("meta[name='csrf-token']");
    var field = document.querySelector("input[name='csrf_token']");
    var token = meta ? meta.content : (field ? field.value : null);
    if (token) { event.detail.headers["X-CSRFToken"] = token; }
  });
})();
