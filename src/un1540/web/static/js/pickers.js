// Pickers (templates/_pickers.html): a list of labelled checkboxes or radio buttons that the
// form submits as codes. Without this script every choice is listed and works; with it, a
// search box above the list hides the choices whose label (or code) does not contain what is
// typed, and a live region says how many are shown. The request form's "Add an item" and
// "Remove" buttons also work without it (the server shows the form again); with it, they
// add and remove the items in the page.
(function () {
  "use strict";

  var SHORT = 6;

  function folded(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function setUp(picker) {
    if (picker.dataset.pickerReady) return;
    picker.dataset.pickerReady = "1";
    var search = picker.querySelector(".picker-search");
    var filter = picker.querySelector(".picker-filter");
    var count = picker.querySelector(".picker-count");
    var choices = Array.prototype.slice.call(picker.querySelectorAll(".picker-choice"));
    var box = picker.querySelector(".picker-choices");
    var chosen = picker.querySelector(".picker-choice input:checked");
    // The first chosen one in sight inside its scrolling box (the page itself does not move).
    if (box && chosen && chosen.value) {
      box.scrollTop = chosen.closest(".picker-choice").offsetTop - box.clientHeight / 3;
    }
    // A short list (weapon categories, languages) is read at a glance: no search box.
    if (!search || !filter || choices.length <= SHORT) return;
    search.hidden = false;
    var template = picker.dataset.countTemplate || "%(shown)s / %(total)s";
    function apply() {
      var words = folded(filter.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      choices.forEach(function (choice) {
        var text = folded(choice.dataset.search || choice.textContent);
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        // A chosen one stays in sight, so that nothing chosen is ever hidden.
        var input = choice.querySelector("input");
        choice.hidden = !(match || (input && input.checked && input.value));
        if (!choice.hidden) shown += 1;
      });
      picker.querySelectorAll(".picker-group").forEach(function (group) {
        group.hidden = !group.querySelector(".picker-choice:not([hidden])");
      });
      if (count) {
        count.textContent = words.length
          ? template.replace("%(shown)s", String(shown)).replace("%(total)s", String(choices.length))
          : "";
      }
    }
    filter.addEventListener("input", apply);
    filter.addEventListener("keydown", function (event) {
      // Enter in the search box must not submit the form.
      if (event.key === "Enter") event.preventDefault();
    });
  }

  function setUpAll(root) {
    root.querySelectorAll("[data-picker]").forEach(setUp);
  }

  // The request form's items: add a copy of the blank item, remove one, number them again.
  function renumber(list) {
    var items = list.querySelectorAll(".request-item");
    var legendTemplate = list.dataset.itemLegend || "%(n)s";
    items.forEach(function (item, index) {
      var old = item.dataset.index;
      item.dataset.index = String(index);
      var legend = item.querySelector(".request-item-legend");
      if (legend) legend.textContent = legendTemplate.replace("%(n)s", String(index + 1));
      var remove = item.querySelector('button[name="remove"]');
      if (remove) {
        remove.value = String(index);
        remove.textContent = (list.dataset.removeLabel || "%(n)s").replace("%(n)s", String(index + 1));
      }
      if (old === String(index)) return;
      item.querySelectorAll("[id], [for], [name], [aria-controls], [aria-describedby]").forEach(function (node) {
        ["id", "for", "name", "aria-controls", "aria-describedby"].forEach(function (attribute) {
          var value = node.getAttribute(attribute);
          if (value) node.setAttribute(attribute, value.split("item-" + old + "-").join("item-" + index + "-"));
        });
      });
    });
    items.forEach(function (item) {
      var remove = item.querySelector('button[name="remove"]');
      if (remove) remove.hidden = items.length < 2;
    });
  }

  function setUpItems(form) {
    var list = form.querySelector(".request-items");
    var blank = form.querySelector("template.request-item-template");
    if (!list || !blank) return;
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      if (button.name === "add") {
        event.preventDefault();
        var index = list.querySelectorAll(".request-item").length;
        var copy = blank.content.firstElementChild.cloneNode(true);
        var html = copy.outerHTML.split("item-__n__-").join("item-" + index + "-");
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var item = holder.firstElementChild;
        item.dataset.index = String(index);  // its names already say item-N-
        list.appendChild(item);
        renumber(list);
        setUpAll(item);
        var first = item.querySelector("input:not([type=hidden]), select, textarea");
        if (first) first.focus();
      } else if (button.name === "remove") {
        event.preventDefault();
        var gone = button.closest(".request-item");
        var next = gone.nextElementSibling || gone.previousElementSibling;
        gone.remove();
        renumber(list);
        var legend = next && next.querySelector(".request-item-legend");
        if (legend) { legend.setAttribute("tabindex", "-1"); legend.focus(); }
      }
    });
  }

  function start() {
    setUpAll(document);
    document.querySelectorAll("form[data-request-form]").forEach(setUpItems);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
