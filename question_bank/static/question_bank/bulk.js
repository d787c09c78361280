// Item list bulk selection: "select all on this page" ticks every row; a row change updates it
// (checked / indeterminate); "select all matching" ticks the page too and says so. Without this
// script the form still works: the page box then means the page, the matching box every page.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) return;
  var pageBox = document.getElementById("bulk-page");
  var matching = document.getElementById("bulk-matching");
  var count = document.getElementById("bulk-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll('input[name="item"][form="bulk-form"]'));

  function ticked() {
    return rows.filter(function (box) { return box.checked; }).length;
  }

  function update() {
    var n = ticked();
    if (pageBox) {
      pageBox.checked = n > 0 && n === rows.length;
      pageBox.indeterminate = n > 0 && n < rows.length;
    }
    if (matching && matching.checked) {
      count.textContent = form.dataset.matchingText;
    } else {
      count.textContent = n ? form.dataset.selectedText.replace("__N__", n) : "";
    }
  }

  if (pageBox) {
    pageBox.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = pageBox.checked; });
      if (!pageBox.checked && matching) matching.checked = false;
      update();
    });
  }
  rows.forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked && matching) matching.checked = false;
      update();
    });
  });
  if (matching) {
    matching.addEventListener("change", function () {
      if (matching.checked) rows.forEach(function (box) { box.checked = true; });
      update();
    });
  }
  // Ticked rows are sent as item=…; the page box only when it is fully ticked (no row unticked).
  form.addEventListener("submit", function () {
    if (pageBox && pageBox.indeterminate) pageBox.checked = false;
  });
  update();
})();
