// Duplicates queue: M merges, N says "Not duplicates", J/K move between pairs.
// The page works without this file: every key has a visible button or link.
(function () {
  "use strict";
  var ACTIONS = { m: "merge", n: "not_duplicates" };

  function panel() { return document.getElementById("dedup-pair"); }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var root = panel();
    if (!root || root.getAttribute("aria-busy") === "true") { return; }
    var key = event.key.toLowerCase();
    var target = null;
    if (ACTIONS[key]) {
      target = root.querySelector('button[name="action"][value="' + ACTIONS[key] + '"]');
    } else if (key === "j") {
      target = root.querySelector('a[rel="next"]');
    } else if (key === "k") {
      target = root.querySelector('a[rel="prev"]');
    }
    if (target) {
      event.preventDefault();
      // One request at a time: a held-down key must not decide the next pair unseen.
      root.setAttribute("aria-busy", "true");
      target.click();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var root = panel();
    if (root && event.detail.target && event.detail.target.id === "dedup-pair") {
      var title = root.querySelector("h2");
      if (title) { title.setAttribute("tabindex", "-1"); title.focus(); }
    }
  });
})();
