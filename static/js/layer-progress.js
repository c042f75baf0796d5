/* Poll a layer's import status while it runs; reload the page when it finishes to show the report. */
(function () {
  // Texts through the page's JavaScript catalog (/jsi18n/) when it is loaded; as written otherwise.
  function translated(text, values) {
    var found = typeof gettext === "function" ? gettext(text) : text;
    if (!values) { return found; }
    return typeof interpolate === "function" ? interpolate(found, values, true)
      : found.replace(/%\((\w+)\)s/g, function (whole, name) { return String(values[name]); });
  }
  var section = document.getElementById("progress");
  if (!section || section.dataset.finished === "true") { return; }
  function poll() {
    fetch(section.dataset.statusUrl, {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.finished) { window.location.reload(); return; }
        document.getElementById("progress-status").textContent = status.status_label;
        document.getElementById("progress-stage").textContent = "— " + (status.stage_label || status.stage);
        var bar = document.getElementById("progress-bar");
        if (bar) { bar.value = status.percent; bar.textContent = translated("%(percent)s%", {percent: status.percent}); }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
