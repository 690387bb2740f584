// Keeps "3 hours ago" labels current on pages served from cache. The page
// reads fine without it: each label carries the absolute time as a title.
(function () {
  "use strict";
  function label(t, now) {
    var s = Math.floor((now - t) / 1000);
    if (isNaN(s)) return null;
    if (s < 60) return "just now";
    var m = Math.floor(s / 60);
    if (m < 60) return m === 1 ? "1 minute ago" : m + " minutes ago";
    var h = Math.floor(m / 60);
    if (h < 24) return h === 1 ? "1 hour ago" : h + " hours ago";
    var d = Math.floor(h / 24);
    if (d < 2) return "yesterday";
    if (d < 30) return d + " days ago";
    return null;
  }
  function update() {
    var now = Date.now();
    var els = document.querySelectorAll("time[data-relative]");
    for (var i = 0; i < els.length; i++) {
      var text = label(Date.parse(els[i].getAttribute("datetime")), now);
      if (text) els[i].textContent = text;
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  setInterval(update, 60000);
})();
