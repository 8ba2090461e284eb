// Connectivity front-end glue. No inline scripts anywhere: behaviour lives in static files.
(function () {
  "use strict";
  // Buttons that remove a repeated form row (issue rows in the quick log).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-remove-closest]");
    if (!button) return;
    var row = button.closest(button.getAttribute("data-remove-closest"));
    if (row) row.remove();
  });
  // "L" anywhere (outside a text field) opens the quick log: logging a call must take seconds.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "l" && event.key !== "L") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var link = document.getElementById("log-conversation");
    if (link) { event.preventDefault(); window.location.assign(link.href); }
  });
})();
