// Paper builder: live availability for a rule form ("มีข้อสอบที่ใช้ได้ 37 ข้อ: ง่าย 15 / ...").
// Works without it: the page shows availability for every saved rule; this only updates as you choose.
(function () {
  "use strict";
  function update(grid) {
    var url = grid.getAttribute("data-availability-url");
    var category = grid.querySelector(".qb-rule-category select");
    var tag = grid.querySelector(".qb-rule-tag select");
    var out = grid.parentNode.querySelector(".qb-live-availability");
    if (!url || !category || !out) return;
    if (!category.value) { out.textContent = ""; return; }
    var query = "?category=" + encodeURIComponent(category.value) + (tag && tag.value ? "&tag=" + encodeURIComponent(tag.value) : "");
    fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) out.textContent = data.text; })
      .catch(function () { out.textContent = ""; });
  }
  document.querySelectorAll(".qb-rule-grid").forEach(function (grid) {
    grid.querySelectorAll(".qb-rule-category select, .qb-rule-tag select").forEach(function (select) {
      select.addEventListener("change", function () { update(grid); });
    });
  });
})();
