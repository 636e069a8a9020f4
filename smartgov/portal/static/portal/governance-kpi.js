// smartgov governance KPI page: cases due / on time / overdue over time, and per group
// (ECharts, data from json_script "kpi-chart").
(function () {
  "use strict";
  function label(element, name, fallback) {
    return element.getAttribute("data-" + name + "-label") || fallback;
  }
  function seriesChart(element, data) {
    return {
      color: ["#206bc4", "#2fb344", "#d63939", "#f59f00"],
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 44, right: 44, top: 36, bottom: 28 },
      xAxis: { type: "category", data: data.buckets },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
      ],
      series: [
        { name: label(element, "due", "Due"), type: "bar", data: data.due },
        { name: label(element, "on-time", "On time"), type: "bar", data: data.on_time },
        { name: label(element, "overdue", "Overdue"), type: "bar", data: data.overdue },
        { name: label(element, "satisfaction", "Satisfaction"), type: "line", yAxisIndex: 1,
          connectNulls: true, data: data.satisfaction }
      ]
    };
  }
  function groupChart(element, data) {
    var names = data.groups.slice().reverse();
    function rev(values) { return values.slice().reverse(); }
    return {
      color: ["#2fb344", "#d63939", "#adb5bd"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, axisLabel: { width: 110, overflow: "truncate" } },
      series: [
        { name: label(element, "on-time", "On time"), type: "bar", stack: "all", data: rev(data.group_on_time) },
        { name: label(element, "overdue", "Overdue"), type: "bar", stack: "all", data: rev(data.group_overdue) },
        { name: label(element, "other", "Other"), type: "bar", stack: "all", data: rev(data.group_other) }
      ]
    };
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-sg-kpi-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-source"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var kind = element.getAttribute("data-sg-kpi-chart");
      if (kind === "groups") {
        element.style.height = Math.max(240, 28 * data.groups.length + 60) + "px";
      }
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(kind === "groups" ? groupChart(element, data) : seriesChart(element, data));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  });
})();
