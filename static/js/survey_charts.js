// Year over year: each <canvas data-survey-chart="ID"> draws the JSON of <script type="application/json" id="ID">
// (Django's json_script) as bars, last survey beside this one per dimension. The numbers are in the table below.
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-survey-chart"));
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.previous_label, data: data.previous, backgroundColor: "#adb5bd" },
          { label: data.current_label, data: data.current, backgroundColor: "#0b5ed7" }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, max: 5 }, x: { ticks: { maxRotation: 0, autoSkip: false } } }
      }
    });
  }
  function init() { document.querySelectorAll("canvas[data-survey-chart]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
