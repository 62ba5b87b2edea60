/* The insight pages' charts: each <canvas data-chart="ID"> is drawn with Chart.js (vendored,
   chart.umd.min.js) from the JSON in <script id="ID" type="application/json"> that the page
   wrote with json_script. No inline code: the site's Content-Security-Policy allows none.
   The "Print report" button prints; before printing, every chart is resized to the page and
   every folded data table is opened. A data table wider than its card says it scrolls; on a
   phone a table under a chart starts folded. */
(function () {
  "use strict";

  var PALETTE = ["#2a5bd7", "#1b7a3d", "#c77700", "#b3261e", "#6b4fbb", "#0f7c8c", "#545b6b"];
  // A series split by concern or strength (present.py) is drawn red or green.
  var MEANING = { concern: "#b3261e", strength: "#1b7a3d" };
  var INK = "#1f2430";
  var GRID = "#e3e6ec";

  // Tooltips give percentages with one decimal, as the data table does ("63.0 %", "46.7 %");
  // the axis ticks are round numbers and keep no trailing zeros.
  function formatValue(value, percent, exact) {
    if (value === null || value === undefined) { return "no data"; }
    var digits = exact && percent ? 1 : 0;
    var text = Number(value).toLocaleString("en-GB", {
      minimumFractionDigits: digits, maximumFractionDigits: 1
    });
    return percent ? text + " %" : text;
  }

  // A horizontal chart's category labels wrap beside the bars, in at most this share of the
  // chart's width and LABEL_LINES lines, the last cut with "…" (the tooltip and the data table
  // keep the whole label). Cut to one line, a phone's 16 characters told nothing: "Both sides
  // rated…", "A side rated the…" (UX review).
  var LABEL_SHARE = 0.4;
  var LABEL_LINES = 3;
  var LABEL_LINE_HEIGHT = 15; // px: one line of a 12 px tick label
  var ROW = 34; // px: a bar's row, when its label takes one line
  var NARROW = 600; // px: a chart box this narrow is on a phone
  var LEGEND_LINE = 22; // px: one line of the legend
  var CHAR_WIDTH = 7;

  function cut(text, room) {
    return text.length > room ? text.slice(0, room - 1).trimEnd() + "…" : text;
  }

  function wrapped(label, width) {
    var room = Math.max(8, Math.floor(width * LABEL_SHARE / CHAR_WIDTH));
    var lines = [];
    label.split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= room) {
        lines[last] += " " + word;
      } else {
        lines.push(word);
      }
    });
    if (lines.length > LABEL_LINES) {
      lines = lines.slice(0, LABEL_LINES);
      lines[LABEL_LINES - 1] = lines[LABEL_LINES - 1].slice(0, room - 1).trimEnd() + "…";
    }
    return lines.map(function (line) { return cut(line, room); });
  }

  function config(spec) {
    var stacked = spec.kind === "stacked_bar";
    var horizontal = spec.kind === "hbar";
    var line = spec.kind === "line";
    var datasets = spec.series.map(function (series, i) {
      var colour = MEANING[series.label.split(": ").pop()] || PALETTE[i % PALETTE.length];
      return {
        label: series.label,
        data: series.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: line ? 2 : 0,
        pointRadius: line ? 2 : 0,
        spanGaps: false,
        maxBarThickness: 48,
        skipNull: true
      };
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: stacked,
      grid: { color: GRID },
      ticks: {
        color: INK,
        precision: spec.percent ? undefined : 0,
        callback: function (value) { return formatValue(value, spec.percent); }
      },
      title: { display: Boolean(spec.yLabel), text: spec.yLabel, color: INK }
    };
    if (spec.scale) {
      // Figures on a fixed scale (averages of 1-to-5 answers): the axis shows that scale,
      // whole points only, never 0 to the data's maximum.
      valueAxis.beginAtZero = false;
      valueAxis.min = spec.scale[0];
      valueAxis.max = spec.scale[1];
      valueAxis.ticks.stepSize = 1;
    }
    var categoryAxis = {
      stacked: stacked,
      grid: { display: false },
      ticks: { color: INK, autoSkip: !horizontal, maxRotation: 60 }
    };
    if (horizontal) {
      categoryAxis.ticks.callback = function (value) {
        return wrapped(String(this.getLabelForValue(value)), this.chart.width);
      };
    }
    return {
      type: line ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        plugins: {
          legend: { display: datasets.length > 1, labels: { color: INK } },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + formatValue(item.raw, spec.percent, true);
              }
            }
          }
        }
      }
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof window.Chart === "undefined") { return null; }
    var spec = JSON.parse(source.textContent);
    var box = canvas.parentElement;
    if (spec.kind === "hbar") {
      // One bar per row: the box grows with the rows, and each row with its label's lines.
      var lines = Math.max.apply(null, spec.labels.map(function (label) {
        return wrapped(String(label), box.clientWidth).length;
      }).concat([1]));
      var row = Math.max(ROW, LABEL_LINE_HEIGHT * lines + 10);
      box.style.height = Math.max(160, row * spec.labels.length + 60) + "px";
    } else if (spec.series.length > 2 && box.clientWidth < NARROW) {
      // On a phone a legend of many series wraps to a line each: the box grows by the
      // legend's lines, so the bars keep their height.
      box.style.height = box.clientHeight + LEGEND_LINE * spec.series.length + "px";
    }
    return new window.Chart(canvas, config(spec));
  }

  function hint(wrap) {
    var note = wrap.nextElementSibling;
    if (note && note.classList.contains("scroll-hint")) {
      note.hidden = wrap.scrollWidth <= wrap.clientWidth + 1;
    }
  }

  function start() {
    var charts = [];
    if (typeof window.Chart !== "undefined") {
      window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      window.Chart.defaults.color = INK;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = draw(canvas);
      if (chart) { charts.push(chart); canvas.setAttribute("data-drawn", "true"); }
    });
    // On a phone the chart says it: the data table under it starts folded (a table is a card
    // per row there, and a section's cards ran to 8,000-12,000 px). Without script it stays open.
    if (window.matchMedia("(max-width: " + NARROW + "px)").matches) {
      document.querySelectorAll("details[data-fold-narrow]").forEach(function (details) {
        details.open = false;
      });
    }
    var folded = document.querySelectorAll("details.insight-rows:not([open]), details.insight-notes:not([open])");
    function resizeAll() { charts.forEach(function (chart) { chart.resize(); }); }
    window.addEventListener("beforeprint", function () {
      folded.forEach(function (details) { details.open = true; });
      resizeAll();
    });
    window.addEventListener("afterprint", function () {
      folded.forEach(function (details) { details.open = false; });
      resizeAll();
      hintAll();
    });
    function hintAll() { document.querySelectorAll(".table-wrap").forEach(hint); }
    hintAll();
    window.addEventListener("resize", hintAll);
    document.querySelectorAll("details.insight-rows").forEach(function (details) {
      details.addEventListener("toggle", hintAll);
    });
    document.querySelectorAll("[data-print-report]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
