/* The candidate's exam page: answers that are never lost (DESIGN §3), the server's clock (§4).

   Every change goes FIRST into a local outbox (localStorage "exam-outbox:<attempt>", seq → save),
   with a per-attempt increasing seq persisted in "exam-seq:<attempt>" (a reload continues from
   max(server last_seq, local max) + 1); only then is it sent. A save leaves the outbox only on
   the server's ack (sent after the commit) or nack (refused for good: the message is shown).
   Transport: the WebSocket ws/attempt/<uid>/ (protocol in delivery/consumers.py), reconnecting
   with exponential backoff + jitter and resending the whole outbox on every hello; while the
   socket is not open, the outbox goes to the HTTP fallback POST …/save (same acks and nacks).
   The countdown uses the server's time: offset = server_time − (t0 + t1) / 2 per time round trip.
*/
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("exam-config").textContent);
  var T = cfg.texts;
  var OUTBOX_KEY = "exam-outbox:" + cfg.attempt;
  var SEQ_KEY = "exam-seq:" + cfg.attempt;
  var UI_KEY = "exam-ui";
  var DECIMAL = /^[+-]?(\d{1,15}(\.\d{0,10})?|\.\d{1,10})$/;
  var RESEND_AFTER_MS = 5000;
  var TIME_SYNC_MS = 60000;

  var root = document.getElementById("exam");
  var statusEl = document.getElementById("exam-save-state");
  var alertEl = document.getElementById("exam-alert");
  var countdownEl = document.getElementById("exam-countdown");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var questions = Array.prototype.slice.call(document.querySelectorAll(".exam-question"));
  var byUid = {};
  questions.forEach(function (q) { byUid[q.dataset.item] = q; });

  // --- storage -------------------------------------------------------------------------------
  function readJson(key, fallback) {
    try { var v = JSON.parse(localStorage.getItem(key)); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }
  function writeJson(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full/blocked */ }
  }
  var outbox = readJson(OUTBOX_KEY, {});
  var sentAt = {};  // seq → ms of the last send (memory only)
  function outboxEntries() {
    return Object.keys(outbox).map(function (k) { return outbox[k]; }).sort(function (a, b) { return a.seq - b.seq; });
  }
  var seq = Math.max(cfg.last_seq || 0, Number(localStorage.getItem(SEQ_KEY)) || 0);
  outboxEntries().forEach(function (e) { seq = Math.max(seq, e.seq); });
  function nextSeq() {
    seq += 1;
    try { localStorage.setItem(SEQ_KEY, String(seq)); } catch (e) { /* ignore */ }
    return seq;
  }

  // --- item state <-> DOM ----------------------------------------------------------------------
  var state = {};
  Object.keys(cfg.responses || {}).forEach(function (uid) {
    state[uid] = { answer: cfg.responses[uid].answer, flagged: !!cfg.responses[uid].flagged };
  });
  outboxEntries().forEach(function (e) { state[e.item] = { answer: e.answer, flagged: e.flagged }; });

  function readItem(q) {
    var type = q.dataset.type;
    var flagged = q.querySelector(".exam-flag-input").checked;
    var answer = null;
    if (type === "single" || type === "true_false") {
      var checked = q.querySelector("input.exam-input:checked");
      answer = checked ? { choice: checked.value } : null;
    } else if (type === "multiple") {
      var values = Array.prototype.map.call(q.querySelectorAll("input.exam-input:checked"), function (i) { return i.value; });
      answer = values.length ? { choices: values.sort() } : null;
    } else {
      var raw = q.querySelector(".exam-input").value;
      if (type === "numeric") {
        var v = raw.trim().replace(/,/g, ".").replace(/[๐-๙]/g, function (d) { return String(d.charCodeAt(0) - 0x0e50); });
        if (v === "") answer = null;
        else if (DECIMAL.test(v)) answer = { value: v };
        else return undefined;  // not a number yet: nothing to save
      } else {
        answer = raw.trim() === "" ? null : { text: raw };
      }
    }
    return { answer: answer, flagged: flagged };
  }

  function paintItem(q, s) {
    var type = q.dataset.type;
    var answer = s ? s.answer : null;
    q.querySelector(".exam-flag-input").checked = !!(s && s.flagged);
    if (type === "single" || type === "true_false" || type === "multiple") {
      var chosen = answer ? (answer.choices || [answer.choice]) : [];
      q.querySelectorAll("input.exam-input").forEach(function (i) { i.checked = chosen.indexOf(i.value) !== -1; });
    } else {
      var input = q.querySelector(".exam-input");
      input.value = answer ? (answer.value !== undefined ? answer.value : answer.text || "") : "";
    }
    paintNav(q.dataset.item);
  }

  function paintNav(uid) {
    var s = state[uid];
    var button = document.querySelector('.exam-nav-item[data-item="' + uid + '"]');
    if (!button) return;
    var answered = !!(s && s.answer !== null && s.answer !== undefined);
    var flagged = !!(s && s.flagged);
    button.dataset.answered = answered ? "true" : "false";
    button.dataset.flagged = flagged ? "true" : "false";
    var label = T.item + " " + byUid[uid].dataset.number + ": " + (answered ? T.answered : T.unanswered);
    if (flagged) label += ", " + T.flagged;
    button.setAttribute("aria-label", label);
  }

  // --- status and alerts -----------------------------------------------------------------------
  var wsOpen = false;
  var httpOk = true;
  function updateStatus() {
    var pending = Object.keys(outbox).length;
    var online = (wsOpen || httpOk) && navigator.onLine !== false;
    var name = !online ? "offline" : pending ? "saving" : "saved";
    if (statusEl.dataset.state !== name) {
      statusEl.dataset.state = name;
      statusEl.textContent = T[name];
    }
  }
  function showAlert(text) {
    alertEl.textContent = text;
    alertEl.hidden = !text;
  }

  // --- record a change -------------------------------------------------------------------------
  function record(q) {
    var s = readItem(q);
    var error = q.querySelector(".exam-input-error");
    if (s === undefined) {
      if (error) { error.textContent = T.not_number; error.hidden = false; }
      return;
    }
    if (error) { error.hidden = true; error.textContent = ""; }
    var uid = q.dataset.item;
    var last = state[uid];
    if (last && JSON.stringify(last) === JSON.stringify(s)) return;
    state[uid] = s;
    var save = {
      type: "save", seq: nextSeq(), item: uid, answer: s.answer, flagged: s.flagged,
      client_time: new Date().toISOString()
    };
    outbox[save.seq] = save;
    writeJson(OUTBOX_KEY, outbox);  // first the outbox, then the network
    paintNav(uid);
    updateStatus();
    send([save]);
  }

  var typingTimers = {};
  questions.forEach(function (q) {
    q.addEventListener("change", function () { record(q); });
    q.addEventListener("input", function (ev) {
      if (!ev.target.matches("input[type=text], textarea")) return;
      clearTimeout(typingTimers[q.dataset.item]);
      typingTimers[q.dataset.item] = setTimeout(function () { record(q); }, 800);
    });
    paintItem(q, state[q.dataset.item]);
  });

  // --- server messages -------------------------------------------------------------------------
  function handle(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "ack" || msg.type === "nack") {
      if (msg.seq !== null && msg.seq !== undefined && outbox[msg.seq]) {
        delete outbox[msg.seq];
        delete sentAt[msg.seq];
        writeJson(OUTBOX_KEY, outbox);
      }
      if (msg.type === "nack") {
        showAlert(msg.message);
        if (msg.code === "submitted") goToReceipt();
      }
      updateStatus();
    } else if (msg.type === "hello") {
      wsOpen = true;
      backoff = 0;
      seq = Math.max(seq, msg.last_seq || 0);
      setDeadline(msg.deadline);
      updateStatus();
      syncTime();
      send(outboxEntries(), true);  // resend everything not acked
    } else if (msg.type === "time") {
      var t1 = Date.now();
      if (typeof msg.t0 === "number") offset = Date.parse(msg.server_time) - (msg.t0 + t1) / 2;
      if (msg.deadline) setDeadline(msg.deadline);
      if (msg.status && msg.status !== "in_progress") goToReceipt();
    } else if (msg.type === "deadline") {
      setDeadline(msg.deadline);
    } else if (msg.type === "submitted") {
      goToReceipt(msg.receipt_url);
    }
  }

  // --- transport: WebSocket first, HTTP while it is not open ----------------------------------
  var ws = null;
  var backoff = 0;
  var reconnectTimer = null;
  var stopped = false;

  function send(saves, force) {
    if (!saves.length) return;
    var now = Date.now();
    if (wsOpen && ws && ws.readyState === WebSocket.OPEN) {
      saves.forEach(function (s) {
        if (force || !sentAt[s.seq] || now - sentAt[s.seq] > RESEND_AFTER_MS) {
          sentAt[s.seq] = now;
          ws.send(JSON.stringify(s));
        }
      });
    } else {
      flushHttp();
    }
  }

  function connect() {
    if (stopped) return;
    reconnectTimer = null;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + cfg.ws_path;
    var socket;
    try { socket = new WebSocket(url); } catch (e) { scheduleReconnect(); return; }
    ws = socket;
    socket.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      handle(msg);
    };
    socket.onclose = function (ev) {
      if (ws === socket) { ws = null; wsOpen = false; }
      if (ev.code === 4401 || ev.code === 4001) { stopped = true; showAlert(T.logged_out); updateStatus(); return; }
      if (ev.code === 4403) { checkState(); return; }
      updateStatus();
      flushHttp();
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (stopped || reconnectTimer) return;
    var delay = Math.min(30000, 500 * Math.pow(2, backoff)) * (0.5 + Math.random());
    backoff = Math.min(backoff + 1, 10);
    reconnectTimer = setTimeout(connect, delay);
  }

  var httpBusy = false;
  function flushHttp() {
    if (httpBusy || stopped) return;
    var entries = outboxEntries().slice(0, 200);
    if (!entries.length) return;
    httpBusy = true;
    var t0 = Date.now();
    fetch(cfg.save_url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfInput ? csrfInput.value : "" },
      body: JSON.stringify(entries)
    }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (data) {
      httpOk = true;
      var t1 = Date.now();
      if (data.server_time) offset = Date.parse(data.server_time) - (t0 + t1) / 2;
      (data.results || []).forEach(handle);
    }).catch(function () {
      httpOk = false;
    }).then(function () {
      httpBusy = false;
      updateStatus();
    });
  }

  function checkState() {
    fetch(cfg.state_url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (data) {
      if (data.status !== "in_progress") goToReceipt(data.receipt_url);
      else scheduleReconnect();
    }).catch(function () { showAlert(T.forbidden); });
  }

  // Unacked saves are resent: over the socket after RESEND_AFTER_MS, else by HTTP.
  setInterval(function () {
    var pending = outboxEntries();
    if (pending.length) send(pending, false);
    updateStatus();
  }, 3000);
  window.addEventListener("online", function () { backoff = 0; if (!ws) connect(); flushHttp(); });
  window.addEventListener("offline", updateStatus);

  // --- clock -----------------------------------------------------------------------------------
  var offset = Date.parse(cfg.server_time) - Date.now();  // refined by time round trips
  var deadline = Date.parse(cfg.deadline);
  var warned = { 10: false, 1: false };
  var timeUp = false;
  function setDeadline(iso) { var d = Date.parse(iso); if (!isNaN(d)) deadline = d; }
  function syncTime() {
    if (wsOpen && ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "time", t0: Date.now() }));
  }
  setInterval(syncTime, TIME_SYNC_MS);

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    countdownEl.textContent = (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
    countdownEl.dataset.urgent = left <= 600 ? "true" : "false";
    [10, 1].forEach(function (min) {
      if (!warned[min] && left <= min * 60 && left > 0) {
        warned[min] = true;
        showAlert(min === 10 ? T.warn10 : T.warn1);
      }
    });
    if (left === 0 && !timeUp) {
      timeUp = true;
      showAlert(T.timeup);
      setTimeout(checkState, 15000);  // after the grace the server has submitted
    }
  }
  tick();
  setInterval(tick, 500);

  function goToReceipt(url) {
    stopped = true;
    if (ws) { try { ws.close(); } catch (e) { /* ignore */ } }
    var pending = outboxEntries().length;
    if (!pending) { try { localStorage.removeItem(OUTBOX_KEY); } catch (e) { /* ignore */ } }
    window.location.assign(url || cfg.receipt_url);
  }

  // --- navigation: one question at a time or the whole list -----------------------------------
  var current = 0;
  var hashItem = location.hash.indexOf("#item-") === 0 ? location.hash.slice(6) : null;
  if (hashItem && byUid[hashItem]) current = questions.indexOf(byUid[hashItem]);

  function show(index, focus) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    var list = root.dataset.mode === "list";
    questions.forEach(function (q, i) { q.hidden = !list && i !== current; });
    document.querySelectorAll(".exam-section").forEach(function (section) {
      section.hidden = !list && !section.contains(questions[current]);
    });
    document.querySelectorAll(".exam-nav-item[data-item]").forEach(function (b) {
      if (b.dataset.item === questions[current].dataset.item) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    });
    if (focus) {
      var legend = questions[current].querySelector("legend");
      if (list) questions[current].scrollIntoView({ block: "start" });
      legend.focus({ preventScroll: list });
    }
  }
  document.querySelectorAll(".exam-nav-item[data-item]").forEach(function (b) {
    b.addEventListener("click", function () { show(questions.indexOf(byUid[b.dataset.item]), true); });
  });
  questions.forEach(function (q, i) {
    q.querySelector(".exam-prev").addEventListener("click", function () { show(i - 1, true); });
    q.querySelector(".exam-next").addEventListener("click", function () { show(i + 1, true); });
  });

  function toggleButton(id, apply) {
    var button = document.getElementById(id);
    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") !== "true";
      apply(on);
      var ui = readJson(UI_KEY, {});
      ui[id] = on;
      writeJson(UI_KEY, ui);
    });
    return button;
  }
  function setMode(list) {
    root.dataset.mode = list ? "list" : "one";
    var b = document.getElementById("exam-mode");
    b.setAttribute("aria-pressed", list ? "true" : "false");
    b.textContent = list ? T.show_one : T.show_all;
    show(current, false);
  }
  function bodyClass(id, css) {
    return function (on) {
      document.body.classList.toggle(css, on);
      document.getElementById(id).setAttribute("aria-pressed", on ? "true" : "false");
    };
  }
  var large = bodyClass("exam-large-text", "large-text");
  var contrast = bodyClass("exam-contrast", "high-contrast");
  toggleButton("exam-mode", setMode);
  toggleButton("exam-large-text", large);
  toggleButton("exam-contrast", contrast);
  var ui = readJson(UI_KEY, {});
  // Accommodations from the roster arrive as body classes; the candidate's own choice overrides.
  large(ui["exam-large-text"] !== undefined ? ui["exam-large-text"] : document.body.classList.contains("large-text"));
  contrast(ui["exam-contrast"] !== undefined ? ui["exam-contrast"] : document.body.classList.contains("high-contrast"));
  setMode(!!ui["exam-mode"]);

  // --- submit: only with an empty outbox ----------------------------------------------------------
  document.querySelectorAll(".exam-submit-link").forEach(function (link) {
    link.addEventListener("click", function (ev) {
      if (!outboxEntries().length) return;
      ev.preventDefault();
      send(outboxEntries(), true);
      var waited = 0;
      var timer = setInterval(function () {
        waited += 250;
        if (!outboxEntries().length) { clearInterval(timer); window.location.assign(link.href); }
        else if (waited >= 8000) { clearInterval(timer); showAlert(T.unsent); updateStatus(); }
      }, 250);
    });
  });

  updateStatus();
  connect();
  if (outboxEntries().length) flushHttp();
})();
