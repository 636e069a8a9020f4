// smartgov data-quality pages: score charts (ECharts, data from json_script) and the rule form
// showing only the parameters of the chosen rule kind.
(function () {
  "use strict";

  function drawCharts() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-sg-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-sg-chart"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption({
        color: ["#206bc4", "#f59f00", "#2fb344", "#d63939"],
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v; } },
        legend: { show: data.series.length > 1, top: 0 },
        grid: { left: 40, right: 16, top: data.series.length > 1 ? 32 : 12, bottom: 28 },
        xAxis: { type: "category", data: data.days, boundaryGap: false },
        yAxis: { type: "value", name: "", min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); }, max: 100 },
        series: data.series.map(function (s) {
          return { name: s.name, type: "line", data: s.data, connectNulls: true, showSymbol: true, symbolSize: 6 };
        })
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function ruleForm(form) {
    var kind = form.querySelector("[name=kind]");
    if (!kind) { return; }
    function update() {
      form.querySelectorAll("[data-sg-kind-only]").forEach(function (group) {
        var shown = group.getAttribute("data-sg-kind-only") === kind.value;
        group.hidden = !shown;
        // Hidden parameters are not sent, so a switch of kind does not carry them along.
        group.querySelectorAll("input, select, textarea").forEach(function (input) {
          input.disabled = !shown;
        });
      });
    }
    kind.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    document.querySelectorAll("[data-sg-rule-form]").forEach(ruleForm);
  });
})();
