// smartgov governance: the report forms' point picker — the phone's position, or a click on the
// grid map. Fills the hidden lon/lat inputs and tells the duplicate suggestions to refresh.
(function () {
  "use strict";
  function init(box) {
    var form = box.closest("form");
    var lon = form.querySelector("input[name=lon]");
    var lat = form.querySelector("input[name=lat]");
    var label = box.querySelector("[data-sg-point-label]");
    var mapEl = box.querySelector("[data-sg-map]");
    var clear = box.querySelector("[data-sg-clear]");
    var chart = null;

    function show() {
      var has = lon.value !== "" && lat.value !== "";
      label.textContent = has ? (Number(lon.value).toFixed(5) + ", " + Number(lat.value).toFixed(5)) : label.getAttribute("data-none");
      clear.hidden = !has;
      if (chart) {
        chart.setOption({ series: [{ data: has ? [[Number(lon.value), Number(lat.value)]] : [] }] });
      }
    }
    function set(x, y) {
      lon.value = x === null ? "" : x.toFixed(6);
      lat.value = y === null ? "" : y.toFixed(6);
      show();
      document.body.dispatchEvent(new CustomEvent("sg-location"));
    }
    window.sgSetPoint = set; // used by the browser test and by other scripts on the page

    box.querySelector("[data-sg-locate]").addEventListener("click", function () {
      if (!navigator.geolocation) { label.textContent = label.getAttribute("data-denied"); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        set(pos.coords.longitude, pos.coords.latitude);
      }, function () { label.textContent = label.getAttribute("data-denied"); },
      { enableHighAccuracy: true, timeout: 10000 });
    });
    clear.addEventListener("click", function () { set(null, null); });
    box.querySelector("[data-sg-pick]").addEventListener("click", function () {
      mapEl.hidden = false;
      if (chart) { chart.resize(); return; }
      fetch(box.getAttribute("data-areas-url"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          chart = window.echarts.init(mapEl);
          var geo = window.sgGovernanceAreas("sg-pick-areas", data);
          chart.setOption({
            tooltip: { trigger: "item" },
            geo: geo,
            series: [{ type: "scatter", coordinateSystem: "geo", symbolSize: 16, itemStyle: { color: "#d63939" }, data: [] }]
          });
          chart.getZr().on("click", function (event) {
            var point = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
            if (point) { set(point[0], point[1]); }
          });
          show();
          window.addEventListener("resize", function () { chart.resize(); });
        });
    });
    show();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-sg-location]").forEach(init);
  });
})();
