// Row editor for list fields kept as JSON (an item's fees, materials, steps, form fields).
// A <textarea data-sg-list-editor='[{"name":…,"label":…,"type":"text|number|select|check",
// "options":[[value,label],…]}]'> becomes a table with one row per entry, add / remove / move
// buttons, and a "JSON" toggle for keys the table does not show (they are kept as they are).
// Without JavaScript the textarea itself is the editor; the server validates either way.
(function () {
  "use strict";

  function parse(text) {
    try {
      var data = JSON.parse(text || "[]");
      return Array.isArray(data) ? data : null;
    } catch (e) {
      return null;
    }
  }

  function input(column, value) {
    var el;
    if (column.type === "select") {
      el = document.createElement("select");
      el.className = "form-select form-select-sm";
      column.options.forEach(function (option) {
        var o = document.createElement("option");
        o.value = option[0];
        o.textContent = option[1];
        el.appendChild(o);
      });
      el.value = value === undefined || value === null ? column.options[0][0] : String(value);
    } else if (column.type === "check") {
      el = document.createElement("input");
      el.type = "checkbox";
      el.className = "form-check-input";
      el.checked = Boolean(value);
    } else {
      el = document.createElement("input");
      el.type = column.type === "number" ? "number" : "text";
      if (column.type === "number") { el.min = "0"; el.step = column.step || "1"; }
      el.className = "form-control form-control-sm";
      el.value = value === undefined || value === null ? "" : String(value);
    }
    el.setAttribute("aria-label", column.label);
    el.dataset.sgColumn = column.name;
    return el;
  }

  function read(el, column) {
    if (column.type === "check") return el.checked;
    if (column.type === "number") {
      if (el.value === "") return undefined;
      var n = Number(el.value);
      return isNaN(n) ? el.value : n;
    }
    return el.value.trim() === "" ? undefined : el.value.trim();
  }

  function setup(textarea) {
    var columns = JSON.parse(textarea.getAttribute("data-sg-list-editor"));
    var labels = JSON.parse(textarea.getAttribute("data-sg-list-labels") || "{}");
    var rows = parse(textarea.value);
    if (rows === null) return; // not a list: leave the raw JSON for the user to mend
    var wrap = document.createElement("div");
    wrap.className = "sg-list-editor mb-2";
    var scroll = document.createElement("div");
    scroll.className = "table-responsive";
    var table = document.createElement("table");
    table.className = "table table-sm table-vcenter mb-2";
    var head = document.createElement("tr");
    columns.forEach(function (c) {
      var th = document.createElement("th");
      th.textContent = c.label;
      head.appendChild(th);
    });
    head.appendChild(document.createElement("th"));
    var thead = document.createElement("thead");
    thead.appendChild(head);
    var tbody = document.createElement("tbody");
    table.appendChild(thead);
    table.appendChild(tbody);
    scroll.appendChild(table);
    wrap.appendChild(scroll);

    var empty = document.createElement("p");
    empty.className = "text-secondary small mb-2";
    empty.textContent = labels.empty || "—";

    function sync() {
      var out = [];
      Array.prototype.forEach.call(tbody.rows, function (tr) {
        var entry = Object.assign({}, tr._sgExtra || {});
        columns.forEach(function (c) {
          var value = read(tr.querySelector('[data-sg-column="' + c.name + '"]'), c);
          if (value === undefined) { delete entry[c.name]; } else { entry[c.name] = value; }
        });
        out.push(entry);
      });
      textarea.value = JSON.stringify(out, null, 1);
      empty.hidden = out.length > 0;
    }

    function button(text, cls, handler) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-sm " + cls;
      b.textContent = text;
      b.addEventListener("click", handler);
      return b;
    }

    function addRow(entry) {
      var tr = document.createElement("tr");
      tr._sgExtra = {};
      Object.keys(entry).forEach(function (k) {
        if (!columns.some(function (c) { return c.name === k; })) tr._sgExtra[k] = entry[k];
      });
      columns.forEach(function (c) {
        var td = document.createElement("td");
        var el = input(c, entry[c.name]);
        el.addEventListener("change", sync);
        el.addEventListener("input", sync);
        td.appendChild(el);
        tr.appendChild(td);
      });
      var actions = document.createElement("td");
      actions.className = "text-nowrap";
      actions.appendChild(button("↑", "btn-ghost-secondary", function () {
        if (tr.previousElementSibling) tbody.insertBefore(tr, tr.previousElementSibling);
        sync();
      }));
      actions.appendChild(button(labels.remove || "×", "btn-ghost-danger", function () {
        tr.remove();
        sync();
      }));
      tr.appendChild(actions);
      tbody.appendChild(tr);
    }

    rows.forEach(addRow);
    wrap.appendChild(empty);
    wrap.appendChild(button(labels.add || "+", "btn-outline-primary me-2", function () {
      addRow({});
      sync();
    }));
    var toggle = button(labels.json || "JSON", "btn-ghost-secondary", function () {
      textarea.hidden = !textarea.hidden;
    });
    wrap.appendChild(toggle);
    textarea.parentNode.insertBefore(wrap, textarea);
    textarea.hidden = true;
    textarea.addEventListener("change", function () {
      var fresh = parse(textarea.value);
      if (fresh === null) return;
      while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
      fresh.forEach(addRow);
      empty.hidden = fresh.length > 0;
    });
    empty.hidden = rows.length > 0;
  }

  document.querySelectorAll("textarea[data-sg-list-editor]").forEach(setup);
})();
