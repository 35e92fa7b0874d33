/* Charts of the analytics pages; data comes from json_script blocks rendered by the server. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  const palette = ["#0b5cad", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#0969da", "#57606a", "#bf3989"];
  const percent = (v) => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
  function data(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  const funnel = data("funnel-chart");
  if (funnel) {
    new Chart(document.getElementById("chart-conversion"), {
      type: "bar",
      data: { labels: funnel.labels, datasets: [{ label: "Conversion (%)", data: funnel.conversion.map(percent), backgroundColor: palette[0] }] },
      options: { scales: { y: { min: 0, max: 100, title: { display: true, text: "%" } } }, plugins: { legend: { display: false } } },
    });
    new Chart(document.getElementById("chart-trend"), {
      type: "line",
      data: {
        labels: funnel.months,
        datasets: Object.entries(funnel.trend).map(([name, values], i) => ({
          label: name, data: values.map(percent), borderColor: palette[i % palette.length], spanGaps: true, tension: 0.2,
        })),
      },
      options: { scales: { y: { min: 0, max: 100, title: { display: true, text: "% converted" } } } },
    });
  }
  if (funnel && funnel.quarters && document.getElementById("chart-quarter-days")) {
    new Chart(document.getElementById("chart-quarter-days"), {
      type: "line",
      data: {
        labels: funnel.quarters.labels,
        datasets: Object.entries(funnel.quarters.days).map(([name, values], i) => ({
          label: name, data: values.map((v) => (v === null ? null : Math.round(v * 10) / 10)), borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], spanGaps: true, tension: 0.2,
        })),
      },
      options: { maintainAspectRatio: false, scales: { y: { min: 0, title: { display: true, text: "median days" } } } },
    });
  }
  const activity = data("asset-activity");
  if (activity && document.getElementById("chart-activity")) {
    new Chart(document.getElementById("chart-activity"), {
      type: "bar",
      data: {
        labels: activity.labels,
        datasets: [
          { label: "Uses by reps", data: activity.uses, backgroundColor: palette[0] },
          { label: "Buyer visits that read it", data: activity.reads, backgroundColor: palette[1] },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
  // Forest plots: a whisker for each row's interval and a point for its adjusted lift, coloured by
  // verdict, a dark vertical line at 0; rows with too little data have a label and nothing else.
  const verdictColour = { "helps": "#1a7f37", "hurts": "#cf222e", "no evidence": "#57606a", "too little data": "#9a6700" };
  document.querySelectorAll("canvas[data-forest]").forEach((canvas) => {
    const forest = data(canvas.dataset.forest);
    if (!forest) { return; }
    const colours = forest.verdicts.map((v) => verdictColour[v] || "#57606a");
    const lines = forest.labels.reduce((n, label) => n + (Array.isArray(label) ? label.length : 1), 0);
    canvas.parentElement.style.height = `${Math.max(120, 22 * lines + 14 * forest.labels.length + 70)}px`;
    const whiskers = forest.low.map((low, i) => (low === null ? null : [percent(low), percent(forest.high[i])]));
    const values = forest.low.concat(forest.high).filter((v) => v !== null).map(percent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: forest.labels,
        datasets: [
          { type: "bar", label: forest.interval || "interval", data: whiskers, backgroundColor: colours, borderColor: colours, barThickness: 3, grouped: false, indexAxis: "y" },
          { type: "line", label: "Adjusted lift", data: forest.points.map(percent), showLine: false, pointRadius: 6, pointHoverRadius: 7, pointBackgroundColor: colours, pointBorderColor: "#fff", pointBorderWidth: 1.5, indexAxis: "y" },
        ],
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: {
            suggestedMin: Math.min(-5, ...values), suggestedMax: Math.max(5, ...values),
            title: { display: true, text: "adjusted lift, percentage points" },
            grid: { color: (c) => (c.tick && c.tick.value === 0 ? "#24292f" : "#e5e7eb"), lineWidth: (c) => (c.tick && c.tick.value === 0 ? 2 : 1) },
          },
          y: { ticks: { autoSkip: false } },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (item) => {
                const i = item.dataIndex;
                if (forest.points[i] === null) { return "too little data"; }
                return `${percent(forest.points[i])} pts (${percent(forest.low[i])} to ${percent(forest.high[i])}), ${forest.verdicts[i]}`;
              },
            },
          },
        },
      },
    });
  });
})();
