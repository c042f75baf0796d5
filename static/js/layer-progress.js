/* Poll a layer's import status while it runs; reload the page when it finishes to show the report. */
(function () {
  // Texts through the page's JavaScript catalog (/jsi18n/) when it is loaded; as written otherwise.
  var gettext = typeof window.gettext === "function" ? window.gettext : function (text) { return text; };
  var interpolate = typeof window.interpolate === "function" ? window.interpolate : function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, name) { return String(values[name]); });
  };
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
        if (bar) { bar.value = status.percent; bar.textContent = interpolate(gettext("%(percent)s%"), {percent: status.percent}, true); }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
