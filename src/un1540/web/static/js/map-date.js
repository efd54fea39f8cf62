// The field map's date slider (/who-what-where): the form works without script (a date input and
// a button); with script, a range over the days since 28 April 2004 sets that date, shows it,
// and reloads the map for it when the slider is released.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("map-date-form");
    var slider = document.getElementById("map-day");
    var input = document.getElementById("map-as-of");
    var shown = document.getElementById("map-day-shown");
    if (!form || !slider || !input) return;
    var first = new Date(slider.dataset.firstDay + "T00:00:00Z");
    function dayOf(index) {
      return new Date(first.getTime() + Number(index) * 86400000).toISOString().slice(0, 10);
    }
    var format = new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "long", timeZone: "UTC" });
    slider.closest(".map-slider").hidden = false;
    slider.addEventListener("input", function () {
      var day = dayOf(slider.value);
      input.value = day;
      if (shown) shown.textContent = format.format(new Date(day + "T00:00:00Z"));
    });
    slider.addEventListener("change", function () {
      input.value = dayOf(slider.value);
      form.submit();
    });
  });
})();
