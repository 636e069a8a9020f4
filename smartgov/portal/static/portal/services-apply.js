// Application forms (在线申请, 前台受理, 一件事): a field with a condition (show_if) is shown only
// when the earlier field has the named value; the print button of the receipt.
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
})();
