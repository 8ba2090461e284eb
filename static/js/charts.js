// KPI trend charts: each <canvas data-chart="ID"> draws the JSON of <script type="application/json" id="ID">
// (Django's json_script). The numbers are also in a table beside each chart, for screen readers and print.
(function () {
  "use strict";
  function format(value, unit) {
    if (value === null || value === undefined) return "no data";
    if (unit === "share") return Math.round(value * 100) + " %";
    if (unit === "hours") return value.toFixed(1) + " h";
    if (unit === "days") return value.toFixed(1) + " d";
    if (unit === "rating") return value.toFixed(2) + " / 5";
    return String(value);
  }
  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    var share = data.unit === "share";
    var values = data.values.map(function (v) { return v === null ? null : (share ? v * 100 : v); });
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [{
          label: data.title,
          data: values,
          borderColor: "#0b5ed7",
          backgroundColor: "#0b5ed7",
          pointStyle: "rectRot",
          pointRadius: 4,
          spanGaps: false,
          tension: 0.2
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (ctx) { return format(data.values[ctx.dataIndex], data.unit); } } }
        },
        scales: {
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 6 } },
          y: share ? { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } }
             : data.unit === "rating" ? { min: 1, max: 5 } : { beginAtZero: true }
        }
      }
    });
  }
  function init() { document.querySelectorAll("canvas[data-chart]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
