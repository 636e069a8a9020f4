// Application forms (在线申请, 前台受理, 一件事): a field with a condition (show_if) is shown only
// when the earlier field has the named value; the print button of the receipt; forms sent once.
(function () {
  "use strict";
  function valueOf(form, name) {
    var inputs = form.querySelectorAll("[name='" + name + "']");
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      values.push(input.value);
    });
    return values;
  }
  function refresh(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (box) {
      var prefix = box.getAttribute("data-prefix") || "";
      var shown = valueOf(form, prefix + box.getAttribute("data-show-if"))
        .indexOf(box.getAttribute("data-show-equals")) !== -1;
      box.hidden = !shown;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-if]")) { return; }
      refresh(form);
      form.addEventListener("change", function () { refresh(form); });
    });
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-sg-print]")) { window.print(); }
  });
  // A form marked data-sg-once is sent once: its buttons are disabled after the browser has
  // taken the clicked button's value (a second click would be a second submission).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-sg-once")) { return; }
    setTimeout(function () {
      if (event.defaultPrevented) { return; }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
  window.addEventListener("pageshow", function () {  // back from the next page: usable again
    document.querySelectorAll("form[data-sg-once] button[type=submit]").forEach(function (b) {
      b.disabled = false;
    });
  });
})();
