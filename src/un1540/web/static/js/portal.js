// Small enhancements; every page works without them.
(function () {
  "use strict";
  // Only one evidence panel open at a time; Escape closes it and returns focus to its mark.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.classList.contains("cell-detail") || !details.open) return;
    document.querySelectorAll("details.cell-detail[open]").forEach(function (other) {
      if (other !== details) other.open = false;
    });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.cell-detail[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("details.cell-detail")) return;
    document.querySelectorAll("details.cell-detail[open]").forEach(function (open) { open.open = false; });
  });
})();
// Forms that cannot be undone ask first (without script they submit directly; the server still checks).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
// Facets fold on a phone (they are open without script and on wider screens).
if (window.matchMedia && window.matchMedia("(max-width: 40rem)").matches) {
  document.querySelectorAll("details.facet-box[open]").forEach(function (box) { box.open = false; });
}
