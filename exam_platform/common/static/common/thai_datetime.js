/* The date-time picker of exam_platform/common/forms/thai_datetime.py (no library).
 *
 * Every <input data-thai-datetime> gets a calendar button; one calendar dialog is shared by the whole
 * page and moves next to the input it serves. The input stays the real control: typing works
 * without the calendar, and the calendar writes exactly what a person would type,
 * "dd/mm/yyyy HH:MM" with the year in the era of the page (data-era-offset: 543 for the Buddhist era).
 *
 * Keyboard: in the day grid the arrow keys move by a day or a week, Home/End to the start/end of the
 * week, Page Up/Page Down by a month (with Shift by a year), Enter or Space picks the day (with the
 * chosen time) and closes; Esc closes without change; Tab cycles inside the calendar. Focus returns
 * to the calendar button when it closes.
 */
(function () {
  "use strict";

  var inputs = document.querySelectorAll("input[data-thai-datetime]");
  if (!inputs.length) return;

  var PATTERN = /^(\d{1,2})[\/\-.](\d{1,2})[\/\-.](\d{4})(?:\s*(?:,|เวลา)?\s*(\d{1,2})[:.](\d{2}))?/;
  var THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙";
  var SVG_NS = "http://www.w3.org/2000/svg";
  var calendar = null; // the one calendar of the page
  var state = null; // {input, button, offset, months, weekdays, labels, year, month, day, selected}

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function arabic(text) {
    return text.replace(/[๐-๙]/g, function (c) { return String(THAI_DIGITS.indexOf(c)); });
  }

  function readValue(input, offset) {
    var match = PATTERN.exec(arabic(input.value.trim()));
    if (!match) return null;
    var year = parseInt(match[3], 10) - offset;
    var date = new Date(year, parseInt(match[2], 10) - 1, parseInt(match[1], 10));
    if (date.getMonth() !== parseInt(match[2], 10) - 1) return null;
    return {
      year: year, month: date.getMonth(), day: date.getDate(),
      hour: match[4] ? Math.min(23, parseInt(match[4], 10)) : 9,
      minute: match[5] ? Math.min(59, parseInt(match[5], 10)) : 0
    };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function icon() {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M7 2h2v2h6V2h2v2h3a1 1 0 0 1 1 1v15a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h3V2zm12 8H5v9h14v-9zM5 8h14V6H5v2zm2 4h3v3H7v-3z");
    svg.appendChild(path);
    return svg;
  }

  function timeSelect(id, count, step, current) {
    var select = el("select", { id: id });
    for (var i = 0; i < count; i += step) {
      select.appendChild(el("option", { value: String(i) }, pad(i)));
    }
    return select;
  }

  function setSelectValue(select, value) {
    if (!select.querySelector('option[value="' + value + '"]')) {
      var option = el("option", { value: String(value) }, pad(value));
      var after = Array.prototype.filter.call(select.options, function (o) { return parseInt(o.value, 10) > value; })[0];
      select.insertBefore(option, after || null);
    }
    select.value = String(value);
  }

  function build() {
    calendar = el("div", {
      id: "thai-calendar", "class": "thai-calendar", role: "dialog", "aria-modal": "true",
      "aria-labelledby": "thai-calendar-title", hidden: ""
    });
    var head = el("div", { "class": "thai-calendar-head" });
    var previous = el("button", { type: "button", "class": "thai-calendar-nav", "data-step": "-1" }, "‹");
    var title = el("h2", { id: "thai-calendar-title", "aria-live": "polite" });
    var next = el("button", { type: "button", "class": "thai-calendar-nav", "data-step": "1" }, "›");
    head.appendChild(previous); head.appendChild(title); head.appendChild(next);
    var table = el("table", { role: "grid", "aria-labelledby": "thai-calendar-title", "aria-describedby": "thai-calendar-help" });
    table.appendChild(el("thead"));
    table.appendChild(el("tbody"));
    var time = el("div", { "class": "thai-calendar-time" });
    var hourLabel = el("label", { "for": "thai-calendar-hour" });
    var minuteLabel = el("label", { "for": "thai-calendar-minute" });
    hourLabel.appendChild(el("span", { "class": "thai-calendar-hour-label" }));
    minuteLabel.appendChild(el("span", { "class": "thai-calendar-minute-label" }));
    time.appendChild(hourLabel); time.appendChild(timeSelect("thai-calendar-hour", 24, 1));
    time.appendChild(minuteLabel); time.appendChild(timeSelect("thai-calendar-minute", 60, 5));
    var actions = el("div", { "class": "thai-calendar-actions" });
    var choose = el("button", { type: "button", "class": "button primary", "data-action": "choose" });
    var close = el("button", { type: "button", "class": "button", "data-action": "close" });
    actions.appendChild(choose); actions.appendChild(close);
    var help = el("p", { id: "thai-calendar-help", "class": "help" });
    [head, table, time, actions, help].forEach(function (node) { calendar.appendChild(node); });

    previous.addEventListener("click", function () { moveMonth(-1, false); });
    next.addEventListener("click", function () { moveMonth(1, false); });
    choose.addEventListener("click", function () { pick(state.year, state.month, state.day); });
    close.addEventListener("click", function () { hide(true); });
    table.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-day]");
      if (button) pick(state.year, state.month, parseInt(button.getAttribute("data-day"), 10));
    });
    table.addEventListener("keydown", onGridKey);
    calendar.addEventListener("keydown", onDialogKey);
    document.addEventListener("mousedown", function (event) {
      if (state && !calendar.hidden && !calendar.contains(event.target) && event.target !== state.button &&
          !state.button.contains(event.target)) {
        hide(false);
      }
    });
  }

  function applyLabels() {
    var labels = state.labels;
    calendar.setAttribute("aria-label", labels.dialog);
    calendar.querySelector('[data-step="-1"]').setAttribute("aria-label", labels.previous);
    calendar.querySelector('[data-step="1"]').setAttribute("aria-label", labels.next);
    calendar.querySelector(".thai-calendar-hour-label").textContent = labels.hour;
    calendar.querySelector(".thai-calendar-minute-label").textContent = labels.minute;
    calendar.querySelector('[data-action="choose"]').textContent = labels.choose;
    calendar.querySelector('[data-action="close"]').textContent = labels.close;
    calendar.querySelector("#thai-calendar-help").textContent = labels.help;
    var row = el("tr");
    state.weekdays.forEach(function (name) { row.appendChild(el("th", { scope: "col" }, name)); });
    var thead = calendar.querySelector("thead");
    thead.textContent = "";
    thead.appendChild(row);
  }

  function displayYear(year) { return year + state.offset; }

  function dayLabel(year, month, day) {
    var era = state.labels.era ? state.labels.era + " " : "";
    return day + " " + state.months[month] + " " + era + displayYear(year);
  }

  function render(focus) {
    var year = state.year, month = state.month;
    var era = state.labels.era ? state.labels.era + " " : "";
    calendar.querySelector("#thai-calendar-title").textContent = state.months[month] + " " + era + displayYear(year);
    var tbody = calendar.querySelector("tbody");
    tbody.textContent = "";
    var first = new Date(year, month, 1).getDay(); // 0 = Sunday, the first column
    var days = new Date(year, month + 1, 0).getDate();
    var today = new Date();
    var row = el("tr");
    for (var blank = 0; blank < first; blank++) row.appendChild(el("td"));
    for (var day = 1; day <= days; day++) {
      var cell = el("td");
      var button = el("button", {
        type: "button", "data-day": String(day), tabindex: day === state.day ? "0" : "-1",
        "aria-label": dayLabel(year, month, day)
      }, String(day));
      var selected = state.selected;
      button.setAttribute("aria-selected", selected && selected.year === year && selected.month === month &&
        selected.day === day ? "true" : "false");
      if (today.getFullYear() === year && today.getMonth() === month && today.getDate() === day) {
        button.setAttribute("aria-current", "date");
      }
      cell.appendChild(button);
      row.appendChild(cell);
      if ((first + day) % 7 === 0) { tbody.appendChild(row); row = el("tr"); }
    }
    if (row.children.length) tbody.appendChild(row);
    if (focus) focusDay();
  }

  function focusDay() {
    var button = calendar.querySelector('button[data-day="' + state.day + '"]');
    if (button) button.focus();
  }

  function moveTo(date, focus) {
    var sameMonth = date.getFullYear() === state.year && date.getMonth() === state.month;
    state.year = date.getFullYear(); state.month = date.getMonth(); state.day = date.getDate();
    if (sameMonth) {
      calendar.querySelectorAll("button[data-day]").forEach(function (b) {
        b.setAttribute("tabindex", b.getAttribute("data-day") === String(state.day) ? "0" : "-1");
      });
      if (focus) focusDay();
    } else {
      render(focus);
    }
  }

  function moveMonth(step, focus) {
    var target = new Date(state.year, state.month + step, 1);
    var last = new Date(target.getFullYear(), target.getMonth() + 1, 0).getDate();
    target.setDate(Math.min(state.day, last));
    moveTo(target, focus);
  }

  function onGridKey(event) {
    if (!event.target.hasAttribute("data-day")) return;
    var current = new Date(state.year, state.month, state.day);
    var weekday = current.getDay();
    var handled = true;
    switch (event.key) {
      case "ArrowLeft": current.setDate(current.getDate() - 1); break;
      case "ArrowRight": current.setDate(current.getDate() + 1); break;
      case "ArrowUp": current.setDate(current.getDate() - 7); break;
      case "ArrowDown": current.setDate(current.getDate() + 7); break;
      case "Home": current.setDate(current.getDate() - weekday); break;
      case "End": current.setDate(current.getDate() + (6 - weekday)); break;
      case "PageUp": moveMonth(event.shiftKey ? -12 : -1, true); event.preventDefault(); return;
      case "PageDown": moveMonth(event.shiftKey ? 12 : 1, true); event.preventDefault(); return;
      case "Enter": case " ": pick(state.year, state.month, state.day); event.preventDefault(); return;
      default: handled = false;
    }
    if (handled) {
      event.preventDefault();
      moveTo(current, true);
    }
  }

  function focusables() {
    return Array.prototype.filter.call(
      calendar.querySelectorAll("button, select"),
      function (node) { return !node.hasAttribute("data-day") || node.getAttribute("tabindex") === "0"; }
    );
  }

  function onDialogKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      hide(true);
    } else if (event.key === "Tab") {
      var nodes = focusables();
      var index = nodes.indexOf(document.activeElement);
      if (event.shiftKey && index <= 0) { nodes[nodes.length - 1].focus(); event.preventDefault(); }
      else if (!event.shiftKey && index === nodes.length - 1) { nodes[0].focus(); event.preventDefault(); }
    }
  }

  function pick(year, month, day) {
    var hour = parseInt(calendar.querySelector("#thai-calendar-hour").value, 10);
    var minute = parseInt(calendar.querySelector("#thai-calendar-minute").value, 10);
    var input = state.input;
    input.value = pad(day) + "/" + pad(month + 1) + "/" + displayYear(year) + " " + pad(hour) + ":" + pad(minute);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
    hide(true);
  }

  function show(input, button) {
    if (!calendar) build();
    if (state && !calendar.hidden) hide(false);
    var offset = parseInt(input.getAttribute("data-era-offset") || "0", 10);
    var value = readValue(input, offset);
    var now = new Date();
    state = {
      input: input, button: button, offset: offset,
      months: JSON.parse(input.getAttribute("data-months")),
      weekdays: JSON.parse(input.getAttribute("data-weekdays")),
      labels: JSON.parse(input.getAttribute("data-labels")),
      year: value ? value.year : now.getFullYear(),
      month: value ? value.month : now.getMonth(),
      day: value ? value.day : now.getDate(),
      selected: value
    };
    button.parentNode.appendChild(calendar); // next to the input it serves: one calendar per page
    applyLabels();
    setSelectValue(calendar.querySelector("#thai-calendar-hour"), value ? value.hour : 9);
    setSelectValue(calendar.querySelector("#thai-calendar-minute"), value ? value.minute : 0);
    calendar.hidden = false;
    button.setAttribute("aria-expanded", "true");
    render(true);
  }

  function hide(returnFocus) {
    if (!state) return;
    calendar.hidden = true;
    state.button.setAttribute("aria-expanded", "false");
    if (returnFocus) state.button.focus();
  }

  Array.prototype.forEach.call(inputs, function (input, index) {
    var labels = JSON.parse(input.getAttribute("data-labels"));
    var wrap = el("div", { "class": "thai-datetime" });
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var button = el("button", {
      type: "button", "class": "thai-datetime-button", "aria-haspopup": "dialog", "aria-expanded": "false",
      "aria-controls": "thai-calendar"
    });
    var label = document.querySelector('label[for="' + input.id + '"]');
    button.setAttribute("aria-label", labels.open + (label ? ": " + label.textContent.trim() : ""));
    button.appendChild(icon());
    wrap.appendChild(button);
    button.addEventListener("click", function () {
      if (state && state.input === input && !calendar.hidden) hide(true);
      else show(input, button);
    });
    input.addEventListener("keydown", function (event) {
      if (event.altKey && event.key === "ArrowDown") { event.preventDefault(); show(input, button); }
    });
    if (index === 0) {
      build(); // present (hidden) from the start, so every button's aria-controls names it
      wrap.appendChild(calendar);
    }
  });
})();
