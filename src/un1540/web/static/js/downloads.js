// PNG and SVG downloads of any chart or map: the figure is drawn again off screen from the same
// option (without tooltips, on white), saved, and thrown away; the one on the page stays as it is.
(function () {
  "use strict";
  function save(option, kind, name) {
    var holder = document.createElement("div");
    holder.style.cssText = "position:fixed;left:-10000px;top:0;width:1200px;height:640px";
    document.body.appendChild(holder);
    var copy = echarts.init(holder, null, { renderer: kind === "svg" ? "svg" : "canvas" });
    copy.setOption(Object.assign({}, option, { animation: false, tooltip: { show: false } }));
    var link = document.createElement("a");
    link.href = copy.getDataURL({ type: kind, pixelRatio: 2, backgroundColor: "#ffffff" });
    link.download = name + "." + kind;
    document.body.appendChild(link);
    link.click();
    link.remove();
    copy.dispose();
    holder.remove();
  }

  // Show the figure's download buttons and make them save `option` (a function, so the file
  // gets extras such as a title or the map's boundaries note).
  window.un1540OfferDownloads = function (element, name, option) {
    var figure = element.closest("figure");
    if (!figure) return;
    figure.querySelectorAll("[data-chart-download]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { save(option(), button.dataset.chartDownload, name); });
    });
  };
})();
