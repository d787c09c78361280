/* The live status panel of an exam session (delivery/officer/session_live.html, views/live.py).

   The socket (protocol: exam_platform/delivery/officer_consumers.py) sends a "snapshot" at every
   connect — so after every reconnect the page replaces all it had — and then "update" messages,
   each with the WHOLE aggregate, at most one a second: a lost one is harmless. The page keeps the
   counts it received (the snapshot's history plus every update) for the chart of the last
   cfg.history_minutes minutes, drawn as inline SVG (no library).

   Reconnects with exponential backoff and jitter (1 s … 30 s) and says so while disconnected; it
   stops on 4403 (not allowed / no two-factor) and 4001 / 4401 (logged out) and says why.
   Accessibility: every number is text; the chart's text alternative (its figcaption) says how each
   count moved over the window; the polite live region announces what changed at most every
   cfg.announce_seconds seconds.
*/
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("live-config").textContent);
  var T = cfg.texts;
  var L = T.labels;
  var SERIES = ["checked_in", "waiting", "in_progress", "submitted", "absent"];
  var ANNOUNCED = ["checked_in", "not_checked_in", "waiting", "in_progress", "submitted", "terminated", "absent"];
  var WINDOW_MS = cfg.history_minutes * 60000;
  var BACKOFF_FIRST_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var W = 640, H = 260, PAD_L = 44, PAD_R = 12, PAD_T = 12, PAD_B = 28;

  var lang = document.documentElement.lang || "th";
  var connectionEl = document.getElementById("live-connection");
  var connectionText = document.getElementById("live-connection-text");
  var updatedEl = document.getElementById("live-updated");
  var countsEl = document.getElementById("live-counts");
  var tableBody = document.getElementById("live-rooms-body");
  var scopeSelect = document.getElementById("live-chart-scope");
  var chart = document.getElementById("live-chart");
  var chartDesc = document.getElementById("live-chart-desc");
  var announceEl = document.getElementById("live-announce");

  var rooms = null;          // [{key, name, building}] from the snapshot
  var counts = null;         // the latest {session: C, rooms: {key: C}}
  var history = [];          // [{t: server ms, counts}] oldest first
  var offsetMs = 0;          // server clock − this clock, from the latest message
  var lastServerTime = null;
  var announced = null;      // the session counts last announced
  var announcedAt = 0;
  var announceTimer = null;
  var socket = null;
  var backoff = BACKOFF_FIRST_MS;
  var stopped = false;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : m;
    });
  }

  function clock(ms, withSeconds) {
    var options = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: cfg.time_zone };
    if (withSeconds) { options.second = "2-digit"; }
    try { return new Date(ms).toLocaleTimeString(lang, options); }
    catch (e) { return new Date(ms).toISOString().slice(11, withSeconds ? 19 : 16); }
  }

  function zero() {
    var c = {};
    cfg.count_keys.forEach(function (k) { c[k] = 0; });
    return c;
  }

  function scopeCounts(all, scope) {
    if (!all) { return zero(); }
    if (scope === "session") { return all.session; }
    return all.rooms[scope] || zero();
  }

  // --- connection state ----------------------------------------------------------------------
  function setConnection(state, text) {
    connectionEl.dataset.state = state;
    connectionText.textContent = text;
  }

  function connect() {
    if (stopped) { return; }
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + cfg.socket;
    setConnection("connecting", T.connecting);
    try { socket = new WebSocket(url); } catch (e) { scheduleReconnect(); return; }
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      receive(message);
    };
    socket.onclose = function (event) {
      socket = null;
      if (event.code === 4403) { stop(T.forbidden); return; }
      if (event.code === 4001 || event.code === 4401) { stop(T.logged_out); return; }
      scheduleReconnect();
    };
  }

  function stop(text) {
    stopped = true;
    setConnection("stopped", text);
  }

  function scheduleReconnect() {
    var delay = Math.round(backoff * (0.8 + Math.random() * 0.4));
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    setConnection("disconnected", fill(T.disconnected, { seconds: Math.ceil(delay / 1000) }));
    setTimeout(connect, delay);
  }

  // --- messages ------------------------------------------------------------------------------
  function receive(message) {
    if (message.type !== "snapshot" && message.type !== "update") { return; }
    var t = Date.parse(message.server_time);
    offsetMs = t - Date.now();
    lastServerTime = t;
    if (message.type === "snapshot") {
      backoff = BACKOFF_FIRST_MS;
      setConnection("live", T.live);
      rooms = message.rooms;
      history = (message.history || []).map(function (s) { return { t: Date.parse(s.t), counts: s.counts }; });
      renderScopes();
    } else if (message.rooms) {
      rooms = message.rooms;
      renderScopes();
    }
    counts = message.counts;
    if (!history.length || history[history.length - 1].t < t) {
      history.push({ t: t, counts: counts });
    }
    prune();
    render();
    if (message.type === "snapshot" && announced === null) {
      announced = counts.session;  // the page already shows these: nothing to announce
      announcedAt = Date.now();
    } else {
      announceSoon();
    }
  }

  function prune() {
    var from = Date.now() + offsetMs - WINDOW_MS;
    // keep the last sample before the window: it is the value at the window's left edge
    while (history.length > 1 && history[1].t <= from) { history.shift(); }
  }

  // --- numbers and the room table -----------------------------------------------------------
  function render() {
    var session = counts.session;
    countsEl.querySelectorAll("[data-count]").forEach(function (el) {
      el.textContent = String(session[el.dataset.count]);
    });
    renderTable();
    updatedEl.textContent = fill(T.updated_at, { time: clock(lastServerTime, true) });
    drawChart();
  }

  function roomName(room) { return room.key === "none" ? T.roomless : room.name; }

  function renderTable() {
    var rows = document.createDocumentFragment();
    rooms.forEach(function (room) {
      var c = counts.rooms[room.key] || zero();
      if (room.key === "none" && !c.total) { return; }
      var tr = document.createElement("tr");
      tr.dataset.room = room.key;
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = roomName(room);
      tr.appendChild(th);
      var building = document.createElement("td");
      building.textContent = room.building || "-";
      tr.appendChild(building);
      cfg.table_keys.forEach(function (key) {
        var td = document.createElement("td");
        td.className = "num";
        td.textContent = String(c[key]);
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    tableBody.replaceChildren(rows);
  }

  function renderScopes() {
    var chosen = scopeSelect.value;
    var options = [new Option(T.session_scope, "session")];
    rooms.forEach(function (room) { options.push(new Option(roomName(room), room.key)); });
    scopeSelect.replaceChildren.apply(scopeSelect, options);
    scopeSelect.value = options.some(function (o) { return o.value === chosen; }) ? chosen : "session";
  }

  // --- the polite announcement ---------------------------------------------------------------
  function announceSoon() {
    if (announceTimer) { return; }
    var wait = Math.max(0, announcedAt + cfg.announce_seconds * 1000 - Date.now());
    announceTimer = setTimeout(announce, wait);
  }

  function announce() {
    announceTimer = null;
    var now = counts.session;
    var changes = ANNOUNCED.filter(function (k) { return announced && now[k] !== announced[k]; })
      .map(function (k) { return L[k] + " " + now[k]; });
    announced = now;
    if (!changes.length) { return; }
    announcedAt = Date.now();
    announceEl.textContent = fill(T.announce, { changes: changes.join(", ") });
  }

  // --- the chart -----------------------------------------------------------------------------
  function svg(name, attrs, text) {
    var el = document.createElementNS(SVG_NS, name);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  function drawChart() {
    if (!counts) { return; }
    var scope = scopeSelect.value;
    var end = Date.now() + offsetMs;
    var start = end - WINDOW_MS;
    var samples = history.map(function (s) { return { t: s.t, c: scopeCounts(s.counts, scope) }; });
    var top = Math.max(1, samples.reduce(function (m, s) { return Math.max(m, s.c.total); }, 0));
    function x(t) { return PAD_L + (Math.max(t, start) - start) / WINDOW_MS * (W - PAD_L - PAD_R); }
    function y(v) { return PAD_T + (1 - v / top) * (H - PAD_T - PAD_B); }

    var parts = [];
    parts.push(svg("line", { "class": "axis", x1: PAD_L, y1: y(0), x2: W - PAD_R, y2: y(0) }));
    parts.push(svg("line", { "class": "grid", x1: PAD_L, y1: y(top), x2: W - PAD_R, y2: y(top) }));
    parts.push(svg("text", { x: PAD_L - 6, y: y(0) + 4, "text-anchor": "end" }, "0"));
    parts.push(svg("text", { x: PAD_L - 6, y: y(top) + 4, "text-anchor": "end" }, String(top)));
    parts.push(svg("text", { x: PAD_L, y: H - 8, "text-anchor": "start" }, clock(start, false)));
    parts.push(svg("text", { x: W - PAD_R, y: H - 8, "text-anchor": "end" }, clock(end, false)));
    SERIES.forEach(function (key) {
      if (!samples.length) { return; }
      var d = "";
      samples.forEach(function (s, i) {
        var px = x(s.t).toFixed(1), py = y(s.c[key]).toFixed(1);
        d += i === 0 ? "M" + px + " " + py : " H" + px + " V" + py;  // a step: the value holds until it changes
      });
      d += " H" + x(end).toFixed(1);
      parts.push(svg("path", { "class": "series", "data-series": key, d: d }));
    });
    chart.replaceChildren.apply(chart, parts);
    describeChart(samples, start, end);
  }

  function describeChart(samples, start, end) {
    if (!samples.length) { chartDesc.textContent = T.chart_empty; return; }
    // the value at the window's left edge: the last sample at or before it, else the first one
    var first = samples[0];
    samples.forEach(function (s) { if (s.t <= start) { first = s; } });
    var last = samples[samples.length - 1];
    var changes = SERIES.map(function (key) {
      return fill(T.chart_change, { label: L[key], a: first.c[key], b: last.c[key] });
    });
    var from = Math.max(start, first.t);
    chartDesc.textContent = fill(T.chart_summary, {
      from: clock(from, false), to: clock(end, false), changes: changes.join(", ")
    });
  }

  scopeSelect.addEventListener("change", drawChart);
  setInterval(function () { if (counts) { prune(); drawChart(); } }, 10000);  // time moves on
  connect();
})();
