// The background job page: ask for the job's state every second until it is finished,
// then show the link to its result. Without script, reloading the page shows the same.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var delay = 1000;

  function show(state) {
    box.setAttribute("data-status", state.status);
    document.getElementById("job-fill").style.width = state.progress + "%";
    box.querySelector(".job-bar").setAttribute("aria-valuenow", state.progress);
    document.getElementById("job-status").textContent = state.label;
    document.getElementById("job-percent").textContent = state.progress + "%";
    document.getElementById("job-message").textContent = state.message || "";
    if (state.status === "done" && state.url) {
      var link = document.getElementById("job-link");
      link.setAttribute("href", state.url);
      if (state.name) link.textContent = link.getAttribute("data-download") + " " + state.name;
      document.getElementById("job-result").hidden = false;
    }
    if (state.finished) document.getElementById("job-wait").hidden = true;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        show(state);
        if (!state.finished) window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, delay * 3); });
  }

  if (box.getAttribute("data-status") !== "done" && box.getAttribute("data-status") !== "failed") {
    window.setTimeout(poll, delay);
  }
})();
