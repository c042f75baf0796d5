/* Poll a layer's import status while it runs; reload the page when it finishes to show the report. */
(function () {
  var section = document.getElementById("progress");
  if (!section || section.dataset.finished === "true") { return; }
  function poll() {
    fetch(section.dataset.statusUrl, {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.finished) { window.location.reload(); return; }
        document.getElementById("progress-status").textContent = status.status_label;
        document.getElementById("progress-stage").textContent = "— " + status.stage;
        var bar = document.getElementById("progress-bar");
        if (bar) { bar.value = status.percent; bar.textContent = status.percent + "%"; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
