// smartgov governance: shared helper turning the grids' and streets' GeoJSON into one ECharts
// map (no internet tiles), with street outlines drawn over the grid cells.
(function () {
  "use strict";
  var FALLBACK = { // Hangzhou's urban districts, when no grid is loaded yet
    type: "Feature",
    properties: { name: "杭州市" },
    geometry: { type: "Polygon", coordinates: [[[119.9, 30.05], [120.45, 30.05], [120.45, 30.45], [119.9, 30.45], [119.9, 30.05]]] }
  };

  function named(features, prefix) {
    return (features || []).filter(function (f) { return f && f.geometry; }).map(function (f, i) {
      var p = f.properties || {};
      var label = p.name || p.code || String(i);
      return {
        type: "Feature",
        geometry: f.geometry,
        properties: Object.assign({}, p, { name: prefix + label, label: label, layer: prefix })
      };
    });
  }

  window.sgGovernanceAreas = function (mapName, data) {
    var grids = named(data.grids && data.grids.features, "grid:");
    var streets = named(data.streets && data.streets.features, "street:");
    var features = grids.concat(streets);
    if (!features.length) { features = [Object.assign({}, FALLBACK, { properties: { name: "city:杭州市", label: "杭州市" } })]; }
    window.echarts.registerMap(mapName, { type: "FeatureCollection", features: features });
    var regions = streets.map(function (f) {
      return {
        name: f.properties.name,
        itemStyle: { areaColor: "rgba(0,0,0,0)", borderColor: "#1d3b6e", borderWidth: 2 },
        emphasis: { itemStyle: { areaColor: "rgba(32,107,196,0.08)" }, label: { show: false } },
        label: { show: false }
      };
    });
    return {
      map: mapName,
      roam: true,
      regions: regions,
      label: { show: false },
      itemStyle: { areaColor: "#eef3fa", borderColor: "#9fb3d1", borderWidth: 0.6 },
      emphasis: { itemStyle: { areaColor: "#dbe7f7" }, label: { show: false } },
      select: { disabled: true },
      tooltip: { show: true, formatter: function (p) { return (p.name || "").replace(/^[a-z]+:/, ""); } }
    };
  };
})();
