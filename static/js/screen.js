// Keyboard screening: I/E/M decide, 1-9 pick a reason, U undoes, J/K move.
// The page works without this file: every key has a visible button or link.
(function () {
  "use strict";
  var VALUES = { i: "include", e: "exclude", m: "maybe" };

  function panel() { return document.getElementById("screen-record"); }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var root = panel();
    if (!root || root.getAttribute("aria-busy") === "true") { return; }
    var key = event.key.toLowerCase();
    var target = null;
    if (VALUES[key]) {
      target = root.querySelector('button[name="value"][value="' + VALUES[key] + '"]');
    } else if (/^[1-9]$/.test(key)) {
      var select = root.querySelector('select[name="reason"]');
      if (select && select.options.length > Number(key)) {
        event.preventDefault();
        select.selectedIndex = Number(key);
      }
      return;
    } else if (key === "u") {
      target = document.getElementById("undo-button");
    } else if (key === "j") {
      target = root.querySelector('a[rel="next"]');
    } else if (key === "k") {
      target = root.querySelector('a[rel="prev"]');
    }
    if (target) {
      event.preventDefault();
      // One request at a time: a held-down key must not decide the next record unseen.
      root.setAttribute("aria-busy", "true");
      target.click();
    }
  });

  // After htmx swaps in the next record, start reading at its title.
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = panel();
    if (root && event.detail.target && event.detail.target.id === "screen-record") {
      var title = root.querySelector("h1");
      if (title) { title.setAttribute("tabindex", "-1"); title.focus({ preventScroll: false }); }
    }
  });
})();
