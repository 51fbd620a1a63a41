/*
 * Draw Plotly figures built on the server.
 *
 * A chart is an element with data-plotly-figure="ID", where ID names a
 * <script type="application/json"> written by Django's json_script filter.
 * The JSON is data, never executed, so the page needs no inline script
 * under the Content Security Policy.
 *
 * DualSpaceCharts.config() is the one Plotly config of the app, also used
 * by dashboard.js when a what-if scenario redraws the charts.
 */
(function () {
  "use strict";
  if (typeof window.Plotly === "undefined") { return; }

  // The toolbar's tooltips follow the page's language; the bundle
  // (static/vendor/plotly/plotly-dualspace.min.js) carries the zh-CN locale.
  var chinese = (document.documentElement.lang || "").toLowerCase().indexOf("zh") === 0;

  function config() {
    return {
      displaylogo: false,
      responsive: true,
      locale: chinese ? "zh-CN" : "en",
      // plotly.js 4 shows a "Share chart..." button that uploads the chart's
      // data to Plotly Cloud: results never leave the intranet.
      showSendToCloud: false,
      plotlyServerURL: ""
    };
  }
  window.DualSpaceCharts = { config: config };

  document.querySelectorAll("[data-plotly-figure]").forEach(function (target) {
    var source = document.getElementById(target.dataset.plotlyFigure);
    if (!source || source.type !== "application/json") { return; }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(target, figure.data || [], figure.layout || {}, config());
  });
})();
