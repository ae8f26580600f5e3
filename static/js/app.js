// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Buttons with data-confirm ask before submitting.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // A second click on a submit button while its form is in flight does nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting === "1" && !form.hasAttribute("hx-post")) {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    window.setTimeout(function () { form.dataset.submitting = ""; }, 4000);
  });
  // Selects marked data-submit-on-change (the language switcher) submit their form.
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-submit-on-change]")) {
      event.target.form.requestSubmit();
    }
  });
})();
