// The governance dashboard's live figures: progressive enhancement only (without this file
// the page's "Refresh figures" link does the same). While the tab is visible, ask htmx every
// data-poll-seconds to refresh the figures' fragment (hx-trigger="refresh-figures from:body");
// while it is hidden, ask nothing; when it shows again, refresh at once. The CSP allows no
// inline script and htmx runs without eval, so trigger filters cannot do this.
(function () {
  "use strict";
  var timer = null;
  function region() { return document.querySelector("[data-poll-seconds]"); }
  function refresh() {
    if (document.visibilityState === "visible" && window.htmx && region()) {
      window.htmx.trigger(document.body, "refresh-figures");
    }
  }
  function start() {
    var el = region();
    if (!el || timer !== null) { return; }
    var seconds = parseInt(el.getAttribute("data-poll-seconds"), 10) || 60;
    timer = window.setInterval(refresh, Math.max(seconds, 1) * 1000);
  }
  function stop() {
    if (timer !== null) { window.clearInterval(timer); timer = null; }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); start(); } else { stop(); }
  });
  if (document.readyState !== "loading") { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
