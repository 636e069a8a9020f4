// smartgov service statistics page: applications / completed / overdue per month with the
// satisfaction and online share, and applications per group (ECharts, data from json_script
// "stats-chart").
(function () {
  "use strict";
  function label(element, name, fallback) {
    return element.getAttribute("data-" + name + "-label") || fallback;
  }
  function monthsChart(element, data) {
    return {
      color: ["#206bc4", "#2fb344", "#d63939", "#f59f00", "#ae3ec9"],
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 44, top: 40, bottom: 28 },
      xAxis: { type: "category", data: data.months },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }
      ],
      series: [
        { name: label(element, "applications", "Applications"), type: "bar", data: data.applications },
        { name: label(element, "completed", "Completed"), type: "bar", data: data.completed },
        { name: label(element, "overdue", "Overdue"), type: "bar", data: data.overdue },
        { name: label(element, "satisfaction", "Satisfaction"), type: "line", yAxisIndex: 1,
          connectNulls: true, data: data.satisfaction },
        { name: label(element, "online", "Online share"), type: "line", yAxisIndex: 1,
          connectNulls: true, data: data.online_share }
      ]
    };
  }
  function groupChart(element, data) {
    function rev(values) { return values.slice().reverse(); }
    return {
      color: ["#206bc4", "#2fb344", "#d63939"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rev(data.groups), axisLabel: { width: 110, overflow: "truncate" } },
      series: [
        { name: label(element, "applications", "Applications"), type: "bar", data: rev(data.group_applications) },
        { name: label(element, "on-time", "On time"), type: "bar", data: rev(data.group_on_time) },
        { name: label(element, "overdue", "Overdue"), type: "bar", data: rev(data.group_overdue) }
      ]
    };
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-sg-stats-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-source"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var kind = element.getAttribute("data-sg-stats-chart");
      if (kind === "groups") {
        element.style.height = Math.max(240, 40 * data.groups.length + 60) + "px";
      }
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(kind === "groups" ? groupChart(element, data) : monthsChart(element, data));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  });
})();
