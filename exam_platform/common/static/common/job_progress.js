// Progress of a background job (item imports, roster imports): polls the JSON status endpoint, fills the <progress> bar and
// reloads the page (which then renders the full result) once the job has finished.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) return;
  var bar = document.getElementById("import-bar");
  var phase = document.getElementById("import-phase");
  var url = box.getAttribute("data-status-url");
  var delay = 1000;

  function show(status) {
    var key = status.failed ? "failed" : (status.phase || "queued");
    phase.textContent = (phase.getAttribute("data-" + key) || key) +
      (status.total ? " " + status.done + " / " + status.total : "");
    var share = { queued: 0, parsing: 5, validating: 10, writing: 85, done: 100 }[status.phase] || 0;
    if (status.phase === "validating" && status.total) share = 10 + Math.round(75 * status.done / status.total);
    bar.value = share;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        show(status);
        if (status.status === "done" || status.failed) { window.location.reload(); return; }
        setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 15000); setTimeout(poll, delay); });
  }
  poll();
})();
