// Reporting-in documents: "select all on this page" ticks every unchecked document of the page; a
// row change updates it; "select all matching" ticks the page too. Without this script the form
// still works (the page box means the page, the matching box every page).
(function () {
  "use strict";
  var form = document.getElementById("check-form");
  if (!form) return;
  var pageBox = document.getElementById("check-page");
  var matching = document.getElementById("check-matching");
  var count = document.getElementById("check-count");
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="document"]'));

  function update() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    if (pageBox) {
      pageBox.checked = n > 0 && n === boxes.length;
      pageBox.indeterminate = n > 0 && n < boxes.length;
    }
    if (!count) return;
    if (matching && matching.checked) count.textContent = form.dataset.matchingText;
    else count.textContent = n ? form.dataset.selectedText.replace("__N__", n) : "";
  }
  if (pageBox) pageBox.addEventListener("change", function () {
    boxes.forEach(function (b) { b.checked = pageBox.checked; });
    if (!pageBox.checked && matching) matching.checked = false;
    update();
  });
  boxes.forEach(function (b) {
    b.addEventListener("change", function () {
      if (!b.checked && matching) matching.checked = false;
      update();
    });
  });
  if (matching) matching.addEventListener("change", function () {
    if (matching.checked) boxes.forEach(function (b) { b.checked = true; });
    update();
  });
  form.addEventListener("submit", function () {
    if (pageBox && pageBox.indeterminate) pageBox.checked = false;
  });
  update();
})();
