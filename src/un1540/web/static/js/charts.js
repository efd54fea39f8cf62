// Draws each .chart-canvas from the JSON data island it names, with the vendored ECharts, and
// offers PNG and SVG downloads of it. The table and the JSON/CSV links beside every chart give
// the same figures without JavaScript.
(function () {
  "use strict";
  var PALETTE = ["#0b5d8c", "#d9822b", "#1d6b3a", "#8e3b8f", "#b3261e", "#55606b", "#2f9fb0"];

  function option(spec, rtl, narrow) {
    var percent = spec.unit === "percent";
    var formatter = function (value) {
      if (value === null || value === undefined || isNaN(value)) return "–";
      return percent ? value.toFixed(1) + "%" : String(Math.round(value * 10) / 10);
    };
    var horizontal = spec.type === "bar" && spec.horizontal;
    var categoryAxis = { type: "category", data: spec.categories, inverse: horizontal || rtl,
      // On a phone, labels that do not fit are skipped and slanted rather than overflowing.
      axisLabel: narrow
        ? { interval: horizontal ? 0 : "auto", hideOverlap: true, rotate: horizontal ? 0 : 45,
            width: horizontal ? 90 : 70, overflow: "truncate", fontSize: 10 }
        : { interval: 0, width: horizontal ? 140 : 90, overflow: "break" } };
    var valueAxis = { type: "value", max: percent ? 100 : null, position: rtl && !horizontal ? "right" : undefined,
      axisLabel: { formatter: percent ? "{value}%" : "{value}" } };
    return {
      aria: { enabled: true },
      color: PALETTE,
      animation: false,
      textStyle: { fontFamily: "system-ui, 'Noto Sans', 'Noto Sans Arabic', 'Noto Sans CJK SC', sans-serif" },
      tooltip: { trigger: spec.type === "line" ? "axis" : "item", valueFormatter: formatter },
      legend: { show: spec.series.length > 1, type: "scroll", bottom: 0 },
      grid: { left: 10, right: 30, top: 20, bottom: spec.series.length > 1 ? 40 : 10, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (serie) {
        return { name: serie.name, type: spec.type, data: serie.data, connectNulls: false,
          showSymbol: spec.type === "line", barMaxWidth: 28,
          label: { show: spec.type === "bar" && spec.series.length === 1, position: horizontal ? "right" : "top", formatter: function (p) { return formatter(p.value); } } };
      })
    };
  }

  function draw(element) {
    var spec = JSON.parse(document.getElementById(element.dataset.chartSource).textContent);
    var rtl = document.documentElement.dir === "rtl";
    // A tall chart's height comes as data (the page has no inline styles); set through the
    // CSSOM, which the Content-Security-Policy allows.
    if (element.dataset.height) element.style.height = element.dataset.height + "rem";
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.on("finished", function () { element.dataset.rendered = "true"; });
    var narrow = element.clientWidth < 520;
    chart.setOption(option(spec, rtl, narrow));
    window.addEventListener("resize", function () { chart.resize(); });
    window.un1540OfferDownloads(element, spec.file || "chart", function () {
      var full = option(spec, rtl, false);
      full.title = { text: spec.title, left: "center", textStyle: { fontSize: 14 } };
      full.grid.top = 40;
      return full;
    }, function () {
      return { title: spec.title,
        header: [window.un1540FigureWords().category || ""].concat(spec.series.map(function (s) { return s.name; })),
        rows: spec.categories.map(function (category, index) {
          return [category].concat(spec.series.map(function (s) { return s.data[index]; }));
        }) };
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll(".chart-canvas").forEach(draw);
  });
})();
