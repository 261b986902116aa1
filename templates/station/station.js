// Live progress on the jobs page: every 2 s the running and queued rows are read again from GET /api/jobs/{id}.
// The page works without this script (its Refresh link reloads it).
(function () {
  "use strict";
  function update() {
    var rows = document.querySelectorAll("tr[data-active]");
    rows.forEach(function (row) {
      fetch("/api/jobs/" + row.getAttribute("data-job"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          var state = row.querySelector("[data-field=state]");
          state.textContent = job.state;
          state.className = "state state-" + job.state;
          var total = job.progress.total, done = job.progress.done;
          var percent = total > 0 ? Math.min(100, Math.floor(done * 100 / total)) : (job.state === "done" ? 100 : 0);
          row.querySelector("[data-field=progress]").value = percent;
          row.querySelector("[data-field=count]").textContent = done + "/" + total;
          if (["done", "failed", "cancelled"].indexOf(job.state) >= 0) { row.removeAttribute("data-active"); }
        })
        .catch(function () {});
    });
  }
  if (document.getElementById("jobs")) { setInterval(update, 2000); }
})();
