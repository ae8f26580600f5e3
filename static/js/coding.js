// Coding workspace: selecting a passage of the study's text fills the coding form with the
// excerpt and its character offsets. Without this file the coder pastes the excerpt instead.
(function () {
  "use strict";

  function offsetWithin(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function captureSelection() {
    var container = document.getElementById("study-text");
    var selection = window.getSelection();
    if (!container || !selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return;
    }
    var range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) {
      return;
    }
    var start = offsetWithin(container, range.startContainer, range.startOffset);
    var end = offsetWithin(container, range.endContainer, range.endOffset);
    if (end <= start) {
      return;
    }
    var text = container.textContent.slice(start, end);
    var fields = {
      cf_start: String(start),
      cf_end: String(end),
      cf_excerpt: text,
      cf_document: container.getAttribute("data-document") || ""
    };
    Object.keys(fields).forEach(function (id) {
      var input = document.getElementById(id);
      if (input) {
        input.value = fields[id];
      }
    });
    var form = document.getElementById("coding-form");
    if (form) {
      form.classList.add("has-selection");
    }
  }

  document.addEventListener("mouseup", captureSelection);
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) {
      captureSelection();
    }
  });
  // Typing in the excerpt box by hand means the offsets no longer apply.
  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "cf_excerpt") {
      ["cf_start", "cf_end"].forEach(function (id) {
        var input = document.getElementById(id);
        if (input) {
          input.value = "";
        }
      });
    }
  });
})();
