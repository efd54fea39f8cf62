// PNG and SVG downloads of any chart or map: the figure is drawn again off screen from the same
// option (without tooltips, on white), saved, and thrown away; the one on the page stays as it is.
//
// A downloaded figure carries its own credit, as Our World in Data's do: under the figure, the
// source (this page's address), the date and the licence, and the synthetic-data notice when the
// data is synthetic. The words come from the page (the JSON island #figure-credit, in the
// reader's language); no inline script (Content-Security-Policy).
(function () {
  "use strict";
  var WIDTH = 1200, HEIGHT = 640, LINE = 18, PAD = 14;

  function credit() {
    var island = document.getElementById("figure-credit");
    if (!island) return [];
    var data = JSON.parse(island.textContent);
    var lines = [
      { text: data.source, fill: "#1b2631", bold: false },
      { text: data.date_licence, fill: "#1b2631", bold: false }
    ];
    if (data.notice) lines.push({ text: data.notice, fill: "#b42318", bold: true });
    return lines;
  }

  // Move every component anchored to the bottom up by `extra` pixels, so the credit fits under.
  function raised(option, extra) {
    var copy = Object.assign({}, option);
    ["grid", "geo", "legend", "visualMap", "title", "dataZoom"].forEach(function (key) {
      if (!copy[key]) return;
      var list = Array.isArray(copy[key]) ? copy[key] : [copy[key]];
      var moved = list.map(function (item) {
        var next = Object.assign({}, item);
        if (typeof next.bottom === "number") next.bottom += extra;
        else if (next.bottom === undefined && (key === "grid" || key === "geo")) next.bottom = 60 + extra;
        return next;
      });
      copy[key] = Array.isArray(copy[key]) ? moved : moved[0];
    });
    return copy;
  }

  // The figure's option with its credit written under it (ECharts `graphic` text elements).
  window.un1540WithCredit = function (option, lines) {
    if (!lines.length) return { option: option, height: HEIGHT };
    var extra = lines.length * LINE + PAD;
    var copy = raised(option, extra);
    var rtl = document.documentElement.dir === "rtl";
    copy.graphic = lines.map(function (line, index) {
      var place = { type: "text", silent: true, bottom: PAD / 2 + (lines.length - 1 - index) * LINE,
        style: { text: line.text, fill: line.fill, fontSize: 12, fontWeight: line.bold ? "bold" : "normal",
          fontFamily: "system-ui, 'Noto Sans', 'Noto Sans Arabic', 'Noto Sans CJK SC', sans-serif",
          width: WIDTH - 2 * PAD, overflow: "truncate" } };
      if (rtl) place.right = PAD; else place.left = PAD;
      return place;
    });
    return { option: copy, height: HEIGHT + extra };
  };

  function escapeXml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // An SVG file names itself too: <title> (the figure), <desc> (source, date and licence, and
  // the synthetic-data notice) and Dublin Core <metadata>, besides the visible credit lines.
  function describedSvg(url, title) {
    var comma = url.indexOf(",");
    var head = url.slice(0, comma + 1), body = url.slice(comma + 1);
    var base64 = /;base64,$/.test(head);
    var text = base64 ? decodeURIComponent(escape(atob(body))) : decodeURIComponent(body);
    var island = document.getElementById("figure-credit");
    var data = island ? JSON.parse(island.textContent) : {};
    var desc = [data.source, data.date_licence, data.notice].filter(Boolean).join(" ");
    var meta = "<title>" + escapeXml(title) + "</title><desc>" + escapeXml(desc) + "</desc>" +
      "<metadata><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">" +
      "<rdf:Description><dc:title>" + escapeXml(title) + "</dc:title><dc:source>" + escapeXml(data.source || "") +
      "</dc:source><dc:rights>CC BY 4.0</dc:rights><dc:description>" + escapeXml(desc) + "</dc:description>" +
      "<dc:language>" + escapeXml(document.documentElement.lang) + "</dc:language></rdf:Description></rdf:RDF></metadata>";
    text = text.replace(/<svg\b[^>]*>/, function (open) { return open + meta; });
    return "data:image/svg+xml;charset=UTF-8," + encodeURIComponent(text);
  }

  function save(option, kind, name) {
    var captioned = window.un1540WithCredit(option, credit());
    var holder = document.createElement("div");
    holder.style.cssText = "position:fixed;left:-10000px;top:0;width:" + WIDTH + "px;height:" + captioned.height + "px";
    document.body.appendChild(holder);
    var copy = echarts.init(holder, null, { renderer: kind === "svg" ? "svg" : "canvas" });
    copy.setOption(Object.assign({}, captioned.option, { animation: false, tooltip: { show: false } }));
    var link = document.createElement("a");
    link.href = copy.getDataURL({ type: kind, pixelRatio: 2, backgroundColor: "#ffffff" });
    if (kind === "svg") {
      var title = option.title && option.title.text;
      link.href = describedSvg(link.href, title || document.title);
    }
    link.download = name + "." + kind;
    document.body.appendChild(link);
    link.click();
    link.remove();
    copy.dispose();
    holder.remove();
  }

  // A CSV cell: quoted, and text that a spreadsheet would run as a formula kept as text (a
  // leading single quote, as the open-data CSV files do).
  function cell(value) {
    if (value === null || value === undefined || (typeof value === "number" && isNaN(value))) return "";
    var text = String(value);
    if (typeof value !== "number" && /^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\n\r]/.test(text) || text !== String(value) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  // The figure's figures as CSV, headed by comment lines ("# ") naming its title, source
  // (this page), date and licence, and the synthetic-data notice when the data is synthetic.
  function saveCsv(table, name) {
    var island = document.getElementById("figure-credit");
    var data = island ? JSON.parse(island.textContent) : {};
    var lines = [table.title, data.source, data.date_licence, data.notice].filter(Boolean).map(function (line) {
      return "# " + String(line).replace(/[\r\n]+/g, " ");
    });
    lines.push(table.header.map(cell).join(","));
    table.rows.forEach(function (row) { lines.push(row.map(cell).join(",")); });
    var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name + ".csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  window.un1540FigureWords = function () {
    var island = document.getElementById("figure-credit");
    return island ? JSON.parse(island.textContent) : {};
  };

  // Show the figure's download buttons and make them save `option` (a function, so the file
  // gets extras such as a title or the map's boundaries note); `table` (a function, optional)
  // gives the figures for the CSV download: { title, header, rows }.
  window.un1540OfferDownloads = function (element, name, option, table) {
    var figure = element.closest("figure");
    if (!figure) return;
    figure.querySelectorAll("[data-chart-download]").forEach(function (button) {
      var kind = button.dataset.chartDownload;
      if (kind === "csv" && !table) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        if (kind === "csv") saveCsv(table(), name);
        else save(option(), kind, name);
      });
    });
  };
})();
