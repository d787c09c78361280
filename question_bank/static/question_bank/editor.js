/* Item editor: live candidate preview, type-specific fields, choice rows, HTML toolbar, image upload.
 *
 * Progressive enhancement: without this script every field is visible, five choice rows are shown
 * (blank rows are ignored) and the "ดูตัวอย่าง" (Preview) button renders the preview on the server.
 */
(function () {
  "use strict";

  var form = document.getElementById("item-editor");
  if (!form) return;
  var pane = document.getElementById("preview");
  var typeSelect = form.elements["item_type"];
  var rows = Array.prototype.slice.call(form.querySelectorAll(".qb-choice-row"));
  var addButton = form.querySelector(".qb-add-choice");
  var MIN_ROWS = 2;
  var TRUE_FALSE = ["ถูก", "ผิด"];

  function rowText(row) { return row.querySelector("textarea"); }
  function rowCorrect(row) { return row.querySelector("input[type=checkbox]"); }
  function rowUid(row) { return row.querySelector("input[type=hidden]"); }
  function visibleRows() { return rows.filter(function (r) { return !r.hidden; }); }

  /* --- item type: show only the fields that apply ------------------------------------------ */
  function applyType() {
    var type = typeSelect.value;
    form.querySelectorAll("[data-types]").forEach(function (box) {
      var applies = box.getAttribute("data-types").split(" ").indexOf(type) !== -1;
      box.hidden = !applies;
      box.querySelectorAll("input, textarea, select").forEach(function (el) {
        if (el.type !== "hidden") el.disabled = !applies;
      });
    });
    if (type === "true_false") {
      rows.forEach(function (row, i) {
        if (i < 2 && !rowText(row).value.trim()) rowText(row).value = TRUE_FALSE[i];
        if (i >= 2) clearRow(row);
      });
    }
    if (type === "single" || type === "true_false") keepOneCorrect(null);
    layoutRows();
  }

  /* --- choice rows: show the filled ones (at least two), add / remove ------------------------ */
  function clearRow(row) {
    rowText(row).value = "";
    rowCorrect(row).checked = false;
    rowUid(row).value = "";
  }

  function layoutRows() {
    var type = typeSelect.value;
    var max = type === "true_false" ? 2 : rows.length;
    var last = -1;
    rows.forEach(function (row, i) { if (rowText(row).value.trim()) last = i; });
    var shown = Math.min(Math.max(last + 1, MIN_ROWS, visibleRows().length), max);
    rows.forEach(function (row, i) {
      row.hidden = i >= shown;
      row.querySelector(".qb-remove-choice").hidden = type === "true_false" || shown <= MIN_ROWS;
    });
    addButton.hidden = shown >= max;
  }

  function removeRow(row) {
    // Shift the rows below up, so labels stay ก ข ค … in order; each choice keeps its uid.
    var index = rows.indexOf(row);
    for (var i = index; i < rows.length - 1; i++) {
      rowText(rows[i]).value = rowText(rows[i + 1]).value;
      rowCorrect(rows[i]).checked = rowCorrect(rows[i + 1]).checked;
      rowUid(rows[i]).value = rowUid(rows[i + 1]).value;
    }
    clearRow(rows[rows.length - 1]);
    var shown = visibleRows().length;
    rows[shown - 1].hidden = true;
    layoutRows();
    schedulePreview();
    var target = rows[Math.min(index, visibleRows().length - 1)];
    rowText(target).focus();
  }

  function keepOneCorrect(changed) {
    var checked = rows.filter(function (r) { return rowCorrect(r).checked; });
    if (checked.length <= 1) return;
    var keep = changed || checked[0];
    checked.forEach(function (r) { if (rowCorrect(r) !== keep) rowCorrect(r).checked = false; });
  }

  rows.forEach(function (row) {
    row.querySelector(".qb-remove-choice").addEventListener("click", function () { removeRow(row); });
    rowCorrect(row).addEventListener("change", function (event) {
      var type = typeSelect.value;
      if (event.target.checked && (type === "single" || type === "true_false")) keepOneCorrect(event.target);
    });
  });
  addButton.addEventListener("click", function () {
    var next = rows.filter(function (r) { return r.hidden; })[0];
    if (!next) return;
    next.hidden = false;
    layoutRows();
    rowText(next).focus();
  });
  typeSelect.addEventListener("change", applyType);

  /* --- live preview: POST the form, swap the fragment (debounced; stale answers ignored) ----- */
  var timer = null;
  var sequence = 0;
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 300);
  }
  function refreshPreview() {
    var mine = ++sequence;
    var body = new FormData(form);
    pane.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { if (mine === sequence) pane.innerHTML = html; })
      .catch(function () { /* keep the last preview; the server-side Preview button still works */ })
      .then(function () { if (mine === sequence) pane.removeAttribute("aria-busy"); });
  }
  form.addEventListener("input", schedulePreview);
  form.addEventListener("change", schedulePreview);

  /* --- HTML toolbar and image upload ---------------------------------------------------------- */
  function insertAround(textarea, before, after) {
    var start = textarea.selectionStart, end = textarea.selectionEnd, value = textarea.value;
    textarea.value = value.slice(0, start) + before + value.slice(start, end) + after + value.slice(end);
    textarea.focus();
    textarea.setSelectionRange(start + before.length, end + before.length);
    schedulePreview();
  }
  var TABLE = "<table>\n<tr><th>หัวข้อ 1</th><th>หัวข้อ 2</th></tr>\n<tr><td></td><td></td></tr>\n</table>\n";
  var uploadUrl = form.getAttribute("data-upload-url");

  function uploadImage(textarea, status) {
    var picker = document.createElement("input");
    picker.type = "file";
    picker.accept = "image/png,image/jpeg,image/gif,image/webp";
    picker.addEventListener("change", function () {
      if (!picker.files.length) return;
      var body = new FormData();
      body.append("file", picker.files[0]);
      body.append("csrfmiddlewaretoken", form.elements["csrfmiddlewaretoken"].value);
      status.className = "qb-upload-status";
      status.textContent = "กำลังอัปโหลด…";
      fetch(uploadUrl, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          if (!result.ok) throw new Error(result.data.error || "upload failed");
          insertAround(textarea, '<img src="' + result.data.url + '" alt="">', "");
          status.textContent = "แทรกรูปภาพแล้ว";
        })
        .catch(function (error) {
          status.className = "qb-upload-status error";
          status.textContent = String(error.message || error);
        });
    });
    picker.click();
  }

  form.querySelectorAll(".qb-toolbar").forEach(function (bar) {
    var textarea = document.getElementById(bar.getAttribute("data-target"));
    var status = document.createElement("p");
    status.className = "qb-upload-status";
    status.setAttribute("role", "status");
    textarea.insertAdjacentElement("afterend", status);
    bar.hidden = false;
    var imageButton = bar.querySelector(".qb-insert-image");
    if (uploadUrl && imageButton) imageButton.hidden = false;
    bar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var tag = button.getAttribute("data-wrap");
      if (tag) insertAround(textarea, "<" + tag + ">", "</" + tag + ">");
      else if (button.getAttribute("data-insert") === "table") insertAround(textarea, TABLE, "");
      else if (button.getAttribute("data-insert") === "image") uploadImage(textarea, status);
    });
  });

  form.querySelector(".qb-preview-button").hidden = true; // the preview is live
  rows.forEach(function (row) { row.hidden = true; }); // layoutRows shows the filled ones (at least two)
  applyType();
})();
