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
  const asset = data("asset-chart");
  if (asset) {
    new Chart(document.getElementById("chart-asset"), {
      data: {
        labels: asset.labels,
        datasets: [
          { type: "bar", label: "95% interval", data: asset.ranges.map((r) => (r ? [percent(r[0]), percent(r[1])] : null)), backgroundColor: "#ddf4ff", borderColor: palette[0], borderWidth: 1 },
          { type: "line", label: "Lift", data: asset.lift.map(percent), showLine: false, backgroundColor: palette[0], borderColor: palette[0], pointRadius: 6 },
          { type: "line", label: "Same-rep lift", data: asset.adjusted.map(percent), showLine: false, backgroundColor: palette[1], borderColor: palette[1], pointStyle: "rectRot", pointRadius: 7 },
        ],
      },
      options: { scales: { y: { title: { display: true, text: "points" } } } },
    });
  }
})();
