// smartgov sharing usage page: calls and refusals per day (ECharts, data from json_script).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-sg-usage-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-sg-usage-chart"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption({
        color: ["#206bc4", "#d63939"],
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 48, right: 16, top: 32, bottom: 28 },
        xAxis: { type: "category", data: data.days },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: element.getAttribute("data-calls-label") || "Calls", type: "bar", data: data.calls },
          { name: element.getAttribute("data-errors-label") || "Errors", type: "line", data: data.errors }
        ]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  });
})();
