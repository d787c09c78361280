/* The candidate's exam page: the waiting room, the paper, answers that are never lost (DESIGN §3),
   the server's clock (§4). The socket protocol: exam_platform/delivery/consumers.py.

   One shell (delivery/exam/page.html) in two modes (config "mode"):
   - "waiting" (the room, /exam/entries/<entry>/room): no attempt yet. The socket ws/exam/<entry>/
     opens at once (?form=1) and the page counts down to opens_at on the server's clock. The server
     starts the attempt itself and sends "started" (attempt, urls, deadline, form, responses): the
     page builds the questions, hides the waiting panel, replaces its URL with the attempt page's
     and focuses the first question. If the socket is still not open at opens_at + 5 s, the page
     POSTs the HTTP start form instead (which redirects to the attempt page).
   - "attempt" (/exam/attempts/<uid>/): the form and the stored answers are in the config; the
     socket opens without ?form=1.
   Questions and navigator are built here from the form (same DOM as the old server template);
   stems and choices are sanitised HTML from the server, every other text goes in as text.

   Every change goes FIRST into a local outbox (localStorage "exam-outbox:<attempt>", seq → save),
   with a per-attempt increasing seq persisted in "exam-seq:<attempt>" (a reload continues from
   max(server last_seq, local max) + 1); only then is it sent. A save leaves the outbox only on
   the server's ack (sent after the commit) or nack (refused for good: the message is shown).
   Transport: the WebSocket (protocol in delivery/consumers.py), reconnecting with exponential
   backoff + jitter and resending the whole outbox on every hello; while the socket is not open,
   the outbox goes to the HTTP fallback POST …/save (same acks and nacks).
   The clocks use the server's time: offset = server_time − (t0 + t1) / 2 per time round trip.
*/
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("exam-config").textContent);
  var T = cfg.texts;
  var LABELS = cfg.choice_labels || [];
  var UI_KEY = "exam-ui";
  var RELOADS_KEY = "exam-room-reloads:" + cfg.entry;
  var DECIMAL = /^[+-]?(\d{1,15}(\.\d{0,10})?|\.\d{1,10})$/;
  var RESEND_AFTER_MS = 5000;
  var TIME_SYNC_MS = 60000;
  var START_FALLBACK_MS = 5000;  // opens_at + this with no open socket: POST the HTTP start form
  var START_BUTTON_MS = 15000;   // opens_at + this and still waiting: show the start button

  var root = document.getElementById("exam");
  var layoutEl = document.getElementById("exam-layout");
  var questionsEl = document.getElementById("exam-questions");
  var navGrid = document.getElementById("exam-nav-grid");
  var navCount = document.getElementById("exam-nav-count");
  var statusEl = document.getElementById("exam-save-state");
  var alertEl = document.getElementById("exam-alert");
  var countdownEl = document.getElementById("exam-countdown");
  var waitingEl = document.getElementById("exam-waiting");
  var waitCountdownEl = document.getElementById("exam-waiting-countdown");
  var waitStatusEl = document.getElementById("exam-waiting-status");
  var startForm = document.getElementById("exam-start-form");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");

  // --- storage -------------------------------------------------------------------------------
  function readJson(key, fallback) {
    try { var v = JSON.parse(localStorage.getItem(key)); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }
  function writeJson(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full/blocked */ }
  }
  function readNumber(key) {
    try { return Number(localStorage.getItem(key)) || 0; } catch (e) { return 0; }
  }

  // --- the attempt: from the config (attempt page) or the socket's "started" (room) -------------
  var attempt = null;  // its uid, once there is one
  var urls = {};
  var OUTBOX_KEY = null;
  var SEQ_KEY = null;
  var outbox = {};
  var sentAt = {};  // seq → ms of the last send (memory only)
  var seq = 0;
  var state = {};   // item uid → {answer, flagged}
  var questions = [];
  var byUid = {};

  function outboxEntries() {
    return Object.keys(outbox).map(function (k) { return outbox[k]; }).sort(function (a, b) { return a.seq - b.seq; });
  }
  function nextSeq() {
    seq += 1;
    try { localStorage.setItem(SEQ_KEY, String(seq)); } catch (e) { /* ignore */ }
    return seq;
  }

  function setupAttempt(data) {
    attempt = data.attempt;
    urls = data.urls || {};
    OUTBOX_KEY = "exam-outbox:" + attempt;
    SEQ_KEY = "exam-seq:" + attempt;
    outbox = readJson(OUTBOX_KEY, {});
    seq = Math.max(data.last_seq || 0, readNumber(SEQ_KEY));
    outboxEntries().forEach(function (e) { seq = Math.max(seq, e.seq); });
    setDeadline(data.deadline);
    document.querySelectorAll(".exam-submit-link").forEach(function (a) { if (urls.submit) a.href = urls.submit; });
    if (data.form) applyForm(data.form, data.responses);
  }

  function applyForm(form, responses) {
    state = {};
    Object.keys(responses || {}).forEach(function (uid) {
      state[uid] = { answer: responses[uid].answer, flagged: !!responses[uid].flagged };
    });
    outboxEntries().forEach(function (e) { state[e.item] = { answer: e.answer, flagged: e.flagged }; });
    render(form);
    questions.forEach(function (q) { paintItem(q, state[q.dataset.item]); });
    var hashItem = location.hash.indexOf("#item-") === 0 ? location.hash.slice(6) : null;
    current = hashItem && byUid[hashItem] ? questions.indexOf(byUid[hashItem]) : 0;
    root.dataset.phase = "exam";
    layoutEl.hidden = false;
    if (waitingEl) waitingEl.hidden = true;
    show(current, false);
  }

  // --- building the questions (the DOM the server template used to render) ---------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function choiceLabel(i) { return i < LABELS.length ? LABELS[i] : String(i + 1); }

  function answerLabel(id, text) {
    return el("label", { "class": "candidate-answer-label", "for": id + "-answer" }, text);
  }

  function buildItem(item, n, total) {
    var id = "q-" + n;
    var type = item.type;
    var article = el("article", {
      "class": "exam-question card", id: "item-" + item.uid,
      "data-item": item.uid, "data-type": type, "data-number": String(n)
    });
    var fieldset = el("fieldset", { "class": "candidate-item candidate-item-" + type, lang: item.language || "th" });
    var legend = el("legend", { "class": "candidate-item-legend", tabindex: "-1" });
    legend.appendChild(el("span", { "class": "candidate-item-number" }, T.item + " " + n));
    legend.appendChild(document.createTextNode(" "));
    legend.appendChild(el("span", { "class": "exam-of" }, "/ " + total));
    fieldset.appendChild(legend);
    var stem = el("div", { "class": "candidate-item-stem", id: id + "-stem" });
    stem.innerHTML = item.stem || "";  // sanitised on the server (as the old template's |safe)
    fieldset.appendChild(stem);

    if (type === "single" || type === "true_false" || type === "multiple") {
      if (type === "multiple") fieldset.appendChild(el("p", { "class": "candidate-item-hint", id: id + "-hint" }, T.multiple_hint));
      var list = el("ol", { "class": "candidate-choices", role: "list", "aria-describedby": id + "-stem" });
      (item.choices || []).forEach(function (choice, i) {
        var li = el("li", { "class": "candidate-choice" });
        li.appendChild(el("input", {
          type: type === "multiple" ? "checkbox" : "radio", id: id + "-c" + i, name: id,
          value: choice.uid, "class": "exam-input"
        }));
        var label = el("label", { "for": id + "-c" + i });
        label.appendChild(el("span", { "class": "candidate-choice-label" }, choiceLabel(i) + "."));
        label.appendChild(document.createTextNode(" "));
        var text = el("span", { "class": "candidate-choice-text" });
        text.innerHTML = choice.html || "";  // sanitised on the server
        label.appendChild(text);
        li.appendChild(label);
        list.appendChild(li);
      });
      fieldset.appendChild(list);
    } else if (type === "numeric") {
      fieldset.appendChild(answerLabel(id, T.numeric_label));
      fieldset.appendChild(el("input", {
        "class": "candidate-answer exam-input", type: "text", inputmode: "decimal", autocomplete: "off",
        id: id + "-answer", "aria-describedby": id + "-stem " + id + "-error"
      }));
      var error = el("p", { "class": "exam-input-error", id: id + "-error" });
      error.hidden = true;
      fieldset.appendChild(error);
    } else if (type === "short") {
      fieldset.appendChild(answerLabel(id, T.answer_label));
      fieldset.appendChild(el("input", {
        "class": "candidate-answer exam-input", type: "text", maxlength: "500", autocomplete: "off",
        id: id + "-answer", "aria-describedby": id + "-stem"
      }));
    } else {
      var essayLabel = answerLabel(id, T.answer_label);
      if (item.max_words) {
        essayLabel.appendChild(document.createTextNode(" "));
        essayLabel.appendChild(el("span", { "class": "candidate-answer-limit" },
          "(" + T.max_words.replace("%(n)s", String(item.max_words)) + ")"));
      }
      fieldset.appendChild(essayLabel);
      fieldset.appendChild(el("textarea", {
        "class": "candidate-answer exam-input", rows: "8", maxlength: "20000",
        id: id + "-answer", "aria-describedby": id + "-stem"
      }));
    }
    article.appendChild(fieldset);

    var foot = el("div", { "class": "exam-question-foot" });
    var flag = el("label", { "class": "exam-flag" });
    flag.appendChild(el("input", { type: "checkbox", "class": "exam-flag-input" }));
    flag.appendChild(document.createTextNode(" " + T.flag));
    foot.appendChild(flag);
    var step = el("div", { "class": "exam-step" });
    var prev = el("button", { type: "button", "class": "button exam-prev" }, T.prev);
    var next = el("button", { type: "button", "class": "button exam-next" }, T.next);
    prev.disabled = n === 1;
    next.disabled = n === total;
    step.appendChild(prev);
    step.appendChild(next);
    foot.appendChild(step);
    article.appendChild(foot);
    return article;
  }

  function render(form) {
    var sections = form.sections || [];
    var total = 0;
    sections.forEach(function (s) { total += (s.items || []).length; });
    var n = 0;
    var paper = document.createDocumentFragment();
    var nav = document.createDocumentFragment();
    sections.forEach(function (section) {
      var sectionEl = el("section", {
        "class": "exam-section", "data-section": String(section.position),
        "aria-labelledby": "section-" + section.position
      });
      sectionEl.appendChild(el("h2", { "class": "exam-section-title", id: "section-" + section.position }, section.title));
      (section.items || []).forEach(function (item) {
        n += 1;
        sectionEl.appendChild(buildItem(item, n, total));
        var li = el("li");
        li.appendChild(el("button", {
          type: "button", "class": "exam-nav-item", "data-item": item.uid,
          "aria-label": T.item + " " + n + ": " + T.unanswered
        }, String(n)));
        nav.appendChild(li);
      });
      paper.appendChild(sectionEl);
    });
    questionsEl.textContent = "";
    questionsEl.appendChild(paper);
    navGrid.textContent = "";
    navGrid.appendChild(nav);
    navCount.textContent = "(" + total + " " + T.item + ")";

    questions = Array.prototype.slice.call(questionsEl.querySelectorAll(".exam-question"));
    byUid = {};
    questions.forEach(function (q, i) {
      byUid[q.dataset.item] = q;
      q.addEventListener("change", function () { record(q); });
      q.addEventListener("input", function (ev) {
        if (!ev.target.matches("input[type=text], textarea")) return;
        clearTimeout(typingTimers[q.dataset.item]);
        typingTimers[q.dataset.item] = setTimeout(function () { record(q); }, 800);
      });
      q.querySelector(".exam-prev").addEventListener("click", function () { show(i - 1, true); });
      q.querySelector(".exam-next").addEventListener("click", function () { show(i + 1, true); });
    });
    navGrid.querySelectorAll(".exam-nav-item[data-item]").forEach(function (b) {
      b.addEventListener("click", function () { show(questions.indexOf(byUid[b.dataset.item]), true); });
    });
  }

  // --- item state <-> DOM ----------------------------------------------------------------------
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
    var button = navGrid.querySelector('.exam-nav-item[data-item="' + uid + '"]');
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
    alertEl.textContent = text || "";
    alertEl.hidden = !text;
  }

  // --- record a change -------------------------------------------------------------------------
  var typingTimers = {};
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

  // --- server messages -------------------------------------------------------------------------
  function roughOffset(serverTime) {
    // One-way estimate from an unasked message; a time round trip replaces it.
    var t = Date.parse(serverTime);
    if (!isNaN(t) && !timeMeasured) offset = t - Date.now();
  }

  function attemptHello(msg) {
    wsOpen = true;
    backoff = 0;
    seq = Math.max(seq, msg.last_seq || 0);
    setDeadline(msg.deadline);
    updateStatus();
    syncTime();
    send(outboxEntries(), true);  // resend everything not acked
  }

  function started(msg) {
    // The paper arrives: the room becomes the attempt page, without a reload.
    roughOffset(msg.server_time);
    setupAttempt(msg);
    if (!questions.length) { window.location.assign(urls.page); return; }  // no form: the page has it
    try { sessionStorage.removeItem(RELOADS_KEY); } catch (e) { /* ignore */ }
    if (urls.page && window.history && history.replaceState) history.replaceState(null, "", urls.page);
    show(current, true);  // focus the first question's legend
  }

  function handle(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "ack" || msg.type === "nack") {
      if (!attempt) return;
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
      if (msg.status === "waiting") {
        wsOpen = true;
        backoff = 0;
        roughOffset(msg.server_time);
        setOpensAt(msg.opens_at);
        syncTime();
      } else if (!attempt) {
        started(msg);  // in progress already (another tab, a reconnect): with ?form=1 it has the form
        if (attempt) attemptHello(msg);
      } else {
        if (!questions.length && msg.form) applyForm(msg.form, msg.responses);
        attemptHello(msg);
      }
    } else if (msg.type === "started") {
      if (!attempt) started(msg);
      if (attempt) attemptHello(msg);
    } else if (msg.type === "start_refused") {
      if (attempt) return;
      roughOffset(msg.server_time);
      setOpensAt(msg.opens_at);
      if (msg.code !== "not_open") {  // final ("closed", ...): say why, stop waiting
        refused = true;
        if (waitStatusEl) waitStatusEl.textContent = msg.message || "";
        showAlert(msg.message);
      }
    } else if (msg.type === "time") {
      var t1 = Date.now();
      if (typeof msg.t0 === "number" && msg.server_time) {
        offset = Date.parse(msg.server_time) - (msg.t0 + t1) / 2;
        timeMeasured = true;
      }
      if (msg.status === "waiting") {
        setOpensAt(msg.opens_at);
      } else if (attempt) {
        if (msg.deadline) setDeadline(msg.deadline);
        if (msg.status && msg.status !== "in_progress") goToReceipt();
      }
    } else if (msg.type === "deadline") {
      if (attempt) setDeadline(msg.deadline);
    } else if (msg.type === "submitted") {
      if (attempt) goToReceipt(msg.receipt_url);
    }
  }

  // --- transport: WebSocket first, HTTP while it is not open ----------------------------------
  var ws = null;
  var backoff = 0;
  var reconnectTimer = null;
  var stopped = false;

  function socketOpen() { return wsOpen && ws && ws.readyState === WebSocket.OPEN; }

  function send(saves, force) {
    if (!attempt || !saves.length) return;
    var now = Date.now();
    if (socketOpen()) {
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
    // A page without the paper asks the server to include it in an in-progress hello.
    var path = cfg.ws_path + (questions.length ? "" : "?form=1");
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
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
      if (ev.code === 4403) {
        if (attempt) checkState();
        else reloadRoom();  // the room view knows why: receipt, "closed", check-in
        return;
      }
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

  function reloadRoom() {
    // At most 3 reloads a minute: a socket refused again and again must not loop the page.
    var now = Date.now();
    var recent = [];
    try { recent = JSON.parse(sessionStorage.getItem(RELOADS_KEY) || "[]"); } catch (e) { recent = []; }
    recent = recent.filter(function (t) { return now - t < 60000; });
    if (recent.length >= 3) { stopped = true; showAlert(T.forbidden); return; }
    recent.push(now);
    try { sessionStorage.setItem(RELOADS_KEY, JSON.stringify(recent)); } catch (e) { /* ignore */ }
    window.location.reload();
  }

  var httpBusy = false;
  function flushHttp() {
    if (!attempt || httpBusy || stopped) return;
    var entries = outboxEntries().slice(0, 200);
    if (!entries.length) return;
    httpBusy = true;
    var t0 = Date.now();
    fetch(urls.save, {
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
      if (data.server_time) { offset = Date.parse(data.server_time) - (t0 + t1) / 2; timeMeasured = true; }
      (data.results || []).forEach(handle);
    }).catch(function () {
      httpOk = false;
    }).then(function () {
      httpBusy = false;
      updateStatus();
    });
  }

  function checkState() {
    fetch(urls.state, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (data) {
      if (data.status !== "in_progress") goToReceipt(data.receipt_url);
      else scheduleReconnect();
    }).catch(function () { showAlert(T.forbidden); });
  }

  // Unacked saves are resent: over the socket after RESEND_AFTER_MS, else by HTTP.
  setInterval(function () {
    if (!attempt) return;
    var pending = outboxEntries();
    if (pending.length) send(pending, false);
    updateStatus();
  }, 3000);
  window.addEventListener("online", function () { backoff = 0; if (!ws) connect(); flushHttp(); });
  window.addEventListener("offline", updateStatus);

  // --- clocks: the exam's deadline, or the room's opening -------------------------------------
  var offset = Date.parse(cfg.server_time) - Date.now();  // refined by time round trips
  if (isNaN(offset)) offset = 0;
  var timeMeasured = false;
  var deadline = NaN;
  var opensAt = Date.parse(cfg.opens_at);
  var loadedAt = Date.now();
  var refused = false;
  var fallbackStarted = false;
  var warned = { 10: false, 1: false };
  var timeUp = false;
  function setDeadline(iso) { var d = Date.parse(iso); if (!isNaN(d)) deadline = d; }
  function setOpensAt(iso) { var d = Date.parse(iso); if (!isNaN(d)) opensAt = d; }
  function syncTime() {
    if (socketOpen()) ws.send(JSON.stringify({ type: "time", t0: Date.now() }));
  }
  setInterval(syncTime, TIME_SYNC_MS);

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
  }

  function tickWaiting() {
    if (!waitCountdownEl || isNaN(opensAt)) return;
    var now = Date.now() + offset;
    var left = Math.ceil((opensAt - now) / 1000);
    waitCountdownEl.textContent = left > 0 ? clock(left) : T.starting;
    if (refused || stopped || fallbackStarted) return;
    var late = now - opensAt;
    if (late >= START_FALLBACK_MS && !socketOpen() && Date.now() - loadedAt >= START_FALLBACK_MS && startForm) {
      fallbackStarted = true;  // no socket to start it: the HTTP start (redirects to the attempt page)
      startForm.submit();
    } else if (late >= START_BUTTON_MS && startForm) {
      startForm.hidden = false;  // the socket is open but nothing came: let the candidate start
    }
  }

  function tick() {
    if (!attempt) { tickWaiting(); return; }
    if (isNaN(deadline)) return;
    var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
    countdownEl.textContent = clock(left);
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

  function goToReceipt(url) {
    stopped = true;
    if (ws) { try { ws.close(); } catch (e) { /* ignore */ } }
    var pending = outboxEntries().length;
    if (!pending) { try { localStorage.removeItem(OUTBOX_KEY); } catch (e) { /* ignore */ } }
    window.location.assign(url || urls.receipt);
  }

  // --- navigation: one question at a time or the whole list -----------------------------------
  var current = 0;

  function show(index, focus) {
    if (!questions.length) return;
    current = Math.max(0, Math.min(questions.length - 1, index));
    var list = root.dataset.mode === "list";
    questions.forEach(function (q, i) { q.hidden = !list && i !== current; });
    questionsEl.querySelectorAll(".exam-section").forEach(function (section) {
      section.hidden = !list && !section.contains(questions[current]);
    });
    navGrid.querySelectorAll(".exam-nav-item[data-item]").forEach(function (b) {
      if (b.dataset.item === questions[current].dataset.item) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    });
    if (focus) {
      var legend = questions[current].querySelector("legend");
      if (list) questions[current].scrollIntoView({ block: "start" });
      legend.focus({ preventScroll: list });
    }
  }

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
  root.dataset.mode = ui["exam-mode"] ? "list" : "one";

  // --- submit: only with an empty outbox ----------------------------------------------------------
  document.querySelectorAll(".exam-submit-link").forEach(function (link) {
    link.addEventListener("click", function (ev) {
      if (!attempt) { ev.preventDefault(); return; }
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

  // --- start -----------------------------------------------------------------------------------
  if (cfg.mode === "attempt") setupAttempt(cfg);
  setMode(root.dataset.mode === "list");
  tick();
  setInterval(tick, 500);
  updateStatus();
  connect();
  if (attempt && outboxEntries().length) flushHttp();
})();
