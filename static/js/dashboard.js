/*
 * Dashboard behaviour: the region chooser and the what-if weight sliders.
 *
 * A slider change asks the server for the scenario (the engine runs there,
 * the same code as the published results) and redraws the ranking, plane,
 * heatmap, map and stages with their table views and download links. The
 * scenario lives in the address (w.<code>=<weight>), so a link shares it.
 */
(function () {
  "use strict";

  document.querySelectorAll("[data-navigate-region]").forEach(function (select) {
    select.addEventListener("change", function () { window.location.href = select.value; });
  });

  var box = document.querySelector("[data-what-if-url]");
  if (!box) { return; }
  var sliders = Array.prototype.slice.call(box.querySelectorAll("[data-weight]"));
  var badge = box.querySelector("[data-what-if-badge]");
  var failure = box.querySelector("[data-what-if-error]");
  var timer = null;
  var busy = false;
  var again = false;

  function scenarioQuery() {
    var params = new URLSearchParams(window.location.search);
    Array.from(params.keys()).forEach(function (key) {
      if (key.indexOf("w.") === 0) { params.delete(key); }
    });
    sliders.forEach(function (slider) {
      if (Math.abs(parseFloat(slider.value) - parseFloat(slider.dataset.default)) > 1e-9) {
        params.set("w." + slider.dataset.weight, slider.value);
      }
    });
    return params;
  }

  function fillTable(slug, panel) {
    var table = document.querySelector('[data-testid="' + slug + '-table"]');
    if (!table) { return; }
    var head = table.querySelector("thead tr");
    head.replaceChildren.apply(head, panel.columns.map(function (text) {
      var cell = document.createElement("th");
      cell.scope = "col";
      cell.textContent = text;
      return cell;
    }));
    var body = table.querySelector("tbody");
    body.replaceChildren.apply(body, panel.rows.map(function (row) {
      var line = document.createElement("tr");
      row.forEach(function (value) {
        var cell = document.createElement("td");
        cell.textContent = value === null ? "" : String(value);
        line.appendChild(cell);
      });
      return line;
    }));
  }

  function redraw(data, query) {
    Object.keys(data.panels).forEach(function (slug) {
      var panel = data.panels[slug];
      var target = document.querySelector('[data-plotly-figure="figure-' + slug + '"]');
      if (target && window.Plotly) {
        // The same config as the first drawing (charts.js): react() replaces it, locale included.
        window.Plotly.react(target, panel.figure.data || [], panel.figure.layout || {}, window.DualSpaceCharts.config());
      }
      fillTable(slug, panel);
      var caption = document.querySelector('[data-caption="' + slug + '"]');
      if (caption) { caption.textContent = panel.caption; }
    });
    document.querySelectorAll("[data-download]").forEach(function (link) {
      link.search = "?" + query;
    });
    if (badge) { badge.classList.toggle("d-none", !data.what_if); }
  }

  // One request at a time: a drag sends the first position, then the last one.
  function update() {
    if (busy) { again = true; return; }
    busy = true;
    again = false;
    var params = scenarioQuery();
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    box.setAttribute("aria-busy", "true");
    box.dataset.state = "loading";
    fetch(box.dataset.whatIfUrl + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          // The server says why when it can (all weights zero: nothing to rank): show that.
          return response.json().catch(function () { return {}; }).then(function (body) {
            var error = new Error(String(response.status));
            error.detail = body.detail;
            throw error;
          });
        }
        return response.json();
      })
      .then(function (data) {
        if (again) { return; }
        failure.classList.add("d-none");
        redraw(data, query);
        box.dataset.state = data.what_if ? "scenario" : "published";
      })
      .catch(function (error) {
        failure.textContent = (error && error.detail) || failure.dataset.message;
        failure.classList.remove("d-none");
        box.dataset.state = "failed";
      })
      .finally(function () {
        busy = false;
        if (again) { update(); } else { box.removeAttribute("aria-busy"); }
      });
  }

  sliders.forEach(function (slider) {
    slider.addEventListener("input", function () {
      var output = box.querySelector('[data-output="' + slider.dataset.weight + '"]');
      if (output) { output.textContent = parseFloat(slider.value).toFixed(1); }
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 150);
    });
  });
})();
