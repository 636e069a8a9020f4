// smartgov governance: the case map — grids and streets as GeoJSON (no internet tiles), case
// points coloured by status or warning, hotspots as pulsing circles sized by their count.
(function () {
  "use strict";
  function init(el) {
    var url = el.getAttribute("data-url");
    var note = el.parentNode.querySelector("[data-sg-map-note]");
    if (!url) { return; }
    var chart = window.echarts.init(el);
    chart.showLoading();
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        chart.hideLoading();
        var geo = window.sgGovernanceAreas("sg-case-areas-" + Math.random().toString(36).slice(2), data);
        var points = (data.points || []).map(function (p) {
          return { name: p.number, value: p.value, itemStyle: { color: p.colour }, title: p.title, status: p.status_label, url: p.url };
        });
        var hotspots = (data.hotspots || []).map(function (h) {
          return { name: h.label, value: h.value.concat([h.count]), count: h.count };
        });
        var max = hotspots.reduce(function (m, h) { return Math.max(m, h.count); }, 1);
        chart.setOption({
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              if (p.seriesType === "effectScatter") { return p.name + "<br>" + p.data.count; }
              if (p.seriesType === "scatter") { return p.name + " · " + p.data.status + "<br>" + (p.data.title || ""); }
              return (p.name || "").replace(/^[a-z]+:/, "");
            }
          },
          geo: geo,
          series: [
            { type: "scatter", coordinateSystem: "geo", symbolSize: 10, data: points, emphasis: { scale: 1.8 } },
            { type: "effectScatter", coordinateSystem: "geo", data: hotspots, rippleEffect: { scale: 3 },
              symbolSize: function (v) { return 10 + 30 * (v[2] / max); }, itemStyle: { color: "#d63939" }, zlevel: 1 }
          ]
        });
        chart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
        el.setAttribute("data-points", String(points.length));
        el.setAttribute("data-ready", "1");
        if (note) {
          note.textContent = !points.length && !hotspots.length ? el.getAttribute("data-empty") : (data.truncated ? el.getAttribute("data-truncated") : "");
        }
        window.addEventListener("resize", function () { chart.resize(); });
      })
      .catch(function () { chart.hideLoading(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-sg-case-map]").forEach(init);
  });
})();
