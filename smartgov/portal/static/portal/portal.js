// smartgov portal behaviour: large-text mode, confirmations for destructive actions, copy.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-sg-toggle-large-text]");
    if (toggle) {
      var on = !document.documentElement.classList.contains("sg-large-text");
      document.documentElement.classList.toggle("sg-large-text", on);
      document.cookie = "sg_large_text=" + (on ? "1" : "0") + ";path=/;max-age=31536000;SameSite=Lax";
      document.querySelectorAll("[data-sg-toggle-large-text]").forEach(function (el) {
        el.setAttribute("aria-pressed", on ? "true" : "false");
      });
      return;
    }
    var copy = event.target.closest("[data-sg-copy]");
    if (copy) {
      var source = document.querySelector(copy.getAttribute("data-sg-copy"));
      if (!source) { return; }
      var text = source.value !== undefined ? source.value : source.textContent;
      var done = function () {
        var original = copy.getAttribute("data-sg-copy-label") || copy.textContent;
        copy.setAttribute("data-sg-copy-label", original);
        copy.textContent = copy.getAttribute("data-sg-copied") || "✓";
        setTimeout(function () { copy.textContent = original; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text.trim()).then(done);
      } else {
        if (source.select) { source.select(); } else {
          var range = document.createRange(); range.selectNodeContents(source);
          var selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
        }
        try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
      }
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
