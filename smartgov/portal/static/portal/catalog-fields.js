// Fields editor of the catalog: add a row from the formset's empty form, remove a row.
// Removed rows stay in the form with their DELETE box ticked, so no row needs renumbering.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-sg-add-row]");
    if (add) {
      var rows = document.querySelector(add.getAttribute("data-sg-add-row"));
      var template = document.querySelector(add.getAttribute("data-sg-template"));
      var prefix = add.getAttribute("data-sg-prefix");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var hint = document.querySelector("[data-sg-no-rows]");
      if (hint) { hint.classList.add("d-none"); }
      var first = rows.lastElementChild.querySelector("input[type=text]");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest("[data-sg-remove-row]");
    if (remove) {
      var row = remove.closest("[data-sg-row]");
      var box = row.querySelector("input[name$='-DELETE']");
      if (box) { box.checked = true; }
      row.classList.add("d-none");
      row.removeAttribute("data-testid");
    }
  });
})();
