// Draws the edition timeline of a State page: cells marked X in each approved edition.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var element = document.querySelector("[data-timeline-source]");
    if (!element || typeof echarts === "undefined") return;
    var editions = JSON.parse(document.getElementById(element.dataset.timelineSource).textContent);
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.on("finished", function () { element.dataset.rendered = "true"; });
    var option = {
      aria: { enabled: true },
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: "axis" },
      // A phone gets fewer, smaller dates on the time axis.
      xAxis: { type: "time", splitNumber: element.clientWidth < 520 ? 3 : 6,
        axisLabel: { hideOverlap: true, fontSize: element.clientWidth < 520 ? 10 : 12 } },
      yAxis: { type: "value", name: "X", min: 0 },
      series: [{
        type: "line", step: "end", symbolSize: 8, name: "Cells marked X",
        data: editions.map(function (e) { return [e.approved_on, e.measures, e.number]; }),
        lineStyle: { color: "#0b5d8c" }, itemStyle: { color: "#0b5d8c" }
      }]
    };
    chart.setOption(option);
    if (window.un1540OfferDownloads) {
      window.un1540OfferDownloads(element, element.dataset.file || "timeline", function () { return option; });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
