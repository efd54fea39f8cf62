// Draws each .map-canvas from the JSON data island it names, with the vendored ECharts and
// the vendored world geometry (split at the antimeridian). No request leaves this server.
(function () {
  "use strict";
  var GEOMETRY_URL = "/static/geo/world.json";
  var geometry = null;
  var RAMP = ["#e3eef6", "#8fbcd9", "#2f7fb0", "#0b3d5c"];
  var NONE = "#cfd6dd";

  function loadGeometry() {
    if (!geometry) {
      geometry = fetch(GEOMETRY_URL).then(function (response) {
        if (!response.ok) throw new Error("map geometry: HTTP " + response.status);
        return response.json();
      });
    }
    return geometry;
  }

  function draw(element, world) {
    var source = document.getElementById(element.dataset.mapSource);
    var payload = JSON.parse(source.textContent);
    var byIso3 = {};
    payload.states.forEach(function (state) { byIso3[state.iso3] = state; });
    if (!echarts.getMap("un1540-world")) {
      echarts.registerMap("un1540-world", { type: "FeatureCollection", features: world.features });
    }
    var shapes = world.features.map(function (feature) {
      var iso3 = feature.properties.iso3;
      var state = byIso3[iso3];
      return { name: iso3, value: state && state.value !== null ? state.value : NaN, stateName: state ? state.name : "" };
    });
    var points = world.small_states.map(function (point) {
      var state = byIso3[point.iso3];
      var value = state && state.value !== null ? state.value : NaN;
      return { name: point.iso3, value: [point.lon, point.lat, value], stateName: point.name };
    });
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.on("finished", function () { element.dataset.rendered = "true"; });
    var top = payload.maximum || 100;
    function tooltip(params) {
      var data = params.data || {};
      if (!data.stateName) return "";
      var value = Array.isArray(data.value) ? data.value[2] : data.value;
      var shown = isNaN(value) ? payload.no_data : (payload.percent === false ? String(value) : value.toFixed(1) + "%");
      return data.stateName + "<br>" + payload.value_label + ": " + shown;
    }
    var option = {
      aria: { enabled: true },
      tooltip: { trigger: "item", formatter: tooltip },
      visualMap: [
        { type: "continuous", min: 0, max: top, calculable: false, orient: "horizontal", left: "left", bottom: 0,
          text: [payload.percent === false ? String(top) : "100%", payload.percent === false ? "0" : "0%"], seriesIndex: 0, inRange: { color: RAMP }, outOfRange: { color: NONE } },
        { type: "continuous", min: 0, max: top, show: false, dimension: 2, seriesIndex: 1,
          inRange: { color: RAMP }, outOfRange: { color: NONE } }
      ],
      geo: {
        map: "un1540-world", nameProperty: "iso3", roam: true, top: 10, bottom: 40,
        itemStyle: { areaColor: "#cfd6dd", borderColor: "#ffffff", borderWidth: 0.5 },
        emphasis: { itemStyle: { areaColor: "#ffbf47" }, label: { show: false } },
        select: { disabled: true }
      },
      series: [
        { type: "map", geoIndex: 0, data: shapes },
        { type: "scatter", coordinateSystem: "geo", data: points, symbolSize: 7, itemStyle: { borderColor: "#1b2631", borderWidth: 0.6 } }
      ]
    };
    chart.setOption(option);
    window.un1540OfferDownloads(element, element.dataset.mapFile || "map", function () {
      return Object.assign({}, option, {
        title: { subtext: payload.note, left: "center", bottom: 0, subtextStyle: { fontSize: 11, color: "#55606b" } }
      });
    }, function () {
      return { title: element.getAttribute("aria-label") ? element.getAttribute("aria-label").split(". ")[0] : payload.value_label,
        header: ["ISO3", window.un1540FigureWords().state || "", payload.value_label],
        rows: payload.states.map(function (state) { return [state.iso3, state.name, state.value]; }) };
    });
    chart.on("click", function (params) {
      var data = params.data || {};
      if (data.stateName) window.location.href = "/states/" + encodeURIComponent(data.name);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var maps = document.querySelectorAll(".map-canvas");
    if (!maps.length || typeof echarts === "undefined") return;
    loadGeometry().then(function (world) {
      maps.forEach(function (element) { draw(element, world); });
    }).catch(function (error) {
      maps.forEach(function (element) {
        var source = document.getElementById(element.dataset.mapSource);
        element.textContent = JSON.parse(source.textContent).failed + " (" + error.message + ")";
      });
    });
  });
})();
