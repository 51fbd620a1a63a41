/*
 * Draw Plotly figures built on the server.
 *
 * A chart is an element with data-plotly-figure="ID", where ID names a
 * <script type="application/json"> written by Django's json_script filter.
 * The JSON is data, never executed, so the page needs no inline script
 * under the Content Security Policy.
 */
(function () {
  "use strict";
  if (typeof window.Plotly === "undefined") { return; }
  document.querySelectorAll("[data-plotly-figure]").forEach(function (target) {
    var source = document.getElementById(target.dataset.plotlyFigure);
    if (!source || source.type !== "application/json") { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(target, figure.data || [], figure.layout || {}, {
      displaylogo: false,
      responsive: true
    });
  });
})();
