// The weight sliders show their value as they move and rank again when released.
// Without JavaScript the form's button does the same.
(function () {
  "use strict";
  var form = document.getElementById("weights-form");
  if (!form) return;
  form.querySelectorAll("input[type=range]").forEach(function (slider) {
    var output = form.querySelector("output[for='" + slider.id + "']");
    slider.addEventListener("input", function () {
      if (output) output.textContent = Number(slider.value).toFixed(2);
    });
    slider.addEventListener("change", function () {
      form.requestSubmit();
    });
  });
})();
