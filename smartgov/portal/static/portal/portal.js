// smartgov portal behaviour: large-text mode, confirmations for destructive actions.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-sg-toggle-large-text]");
    if (toggle) {
      var on = !document.documentElement.classList.contains("sg-large-text");
      document.documentElement.classList.toggle("sg-large-text", on);
      document.cookie = "sg_large_text=" + (on ? "1" : "0") + ";path=/;max-age=31536000;SameSite=Lax";
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-sg-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
