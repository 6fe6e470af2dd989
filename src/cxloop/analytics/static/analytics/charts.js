// Draws the analytics charts with Chart.js (vendor/chart.umd.min.js, MIT).
// Each <canvas data-chart="ID"> names a <script type="application/json" id="ID"> written by
// Django's json_script; analytics/charts.py shapes that JSON. No inline script, no inline style:
// Chart.js sizes the canvas through the CSSOM, which the Content-Security-Policy allows.
// Every chart has a table or links next to it, so nothing here is needed to read the numbers.
(() => {
  "use strict";

  const lang = document.documentElement.lang || "en";
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const integer = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
  const fmt = (value, unit) => (value === null || value === undefined ? "—" : number.format(value) + (unit || ""));

  function go(url) {
    if (url) window.location.assign(url);
  }

  // A click on a point or bar opens the answers behind it; the pointer shows that it can.
  function linking(urlAt) {
    return {
      onClick(event, elements) {
        if (elements.length) go(urlAt(elements[0]));
      },
      onHover(event, elements) {
        event.native.target.style.cursor = elements.length && urlAt(elements[0]) ? "pointer" : "default";
      },
    };
  }

  function sparkline(spec) {
    return {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: [{
          label: spec.label,
          data: spec.values,
          borderColor: spec.colour,
          backgroundColor: spec.colour,
          borderWidth: 2,
          pointRadius: spec.values.map((_, i) => (i === spec.values.length - 1 ? 3 : 0)),
          pointHitRadius: 8,
          spanGaps: true,
          tension: 0.25,
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            displayColors: false,
            callbacks: {
              label: (ctx) => `${fmt(ctx.parsed.y, spec.unit)} (n=${integer.format(spec.n[ctx.dataIndex])})`,
            },
          },
        },
        scales: { x: { display: false }, y: { display: false, grace: "10%" } },
        ...linking((el) => spec.urls[el.index]),
      },
    };
  }

  function band(spec) {
    // The band is two invisible lines, the upper one filled down to the lower one.
    return {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: [
          {
            label: spec.bandLabel,
            data: spec.high,
            borderWidth: 0,
            pointRadius: 0,
            pointHitRadius: 0,
            fill: "+1",
            backgroundColor: spec.band,
            spanGaps: false,
          },
          {
            label: spec.bandLabel + " (low)",
            data: spec.low,
            borderWidth: 0,
            pointRadius: 0,
            pointHitRadius: 0,
            fill: false,
            spanGaps: false,
          },
          {
            label: spec.label,
            data: spec.values,
            borderColor: spec.colour,
            backgroundColor: spec.small.map((s) => (s ? "#fff" : spec.colour)),
            pointBorderColor: spec.colour,
            pointRadius: 4,
            pointHoverRadius: 6,
            borderWidth: 2,
            spanGaps: true,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { labels: { filter: (item) => item.datasetIndex !== 1 } },
          tooltip: {
            filter: (item) => item.datasetIndex === 2,
            callbacks: {
              label: (ctx) => {
                const i = ctx.dataIndex;
                let text = `${spec.label}: ${fmt(spec.values[i], spec.unit)}`;
                if (spec.low[i] !== null && spec.high[i] !== null) {
                  text += ` [${fmt(spec.low[i], spec.unit)} … ${fmt(spec.high[i], spec.unit)}]`;
                }
                return text;
              },
              afterLabel: (ctx) => {
                const i = ctx.dataIndex;
                const n = `n=${integer.format(spec.n[i])} ${spec.answersLabel}`;
                return spec.small[i] ? `${n} · ${spec.smallLabel}` : n;
              },
            },
          },
        },
        scales: { y: { ticks: { callback: (v) => fmt(v, spec.unit) } } },
        ...linking((el) => spec.urls[el.index]),
      },
    };
  }

  function stacked(spec) {
    return {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((d) => ({
          label: d.label,
          data: d.values,
          backgroundColor: d.colour,
          stack: "emotion",
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${integer.format(ctx.parsed.y)}` } },
        },
        scales: { x: { stacked: true }, y: { stacked: true, ticks: { callback: (v) => integer.format(v) } } },
        ...linking((el) => spec.datasets[el.datasetIndex].urls[el.index]),
      },
    };
  }

  function matrix(spec) {
    // Drivers with few answers are drawn hollow: a hint, not a fact.
    const colours = spec.points.map((p) => p.colour);
    const fills = spec.points.map((p) => (p.small ? "#fff" : p.colour));
    return {
      type: "scatter",
      data: {
        datasets: [{
          label: spec.yLabel,
          data: spec.points.map((p) => ({ x: p.x, y: p.y })),
          backgroundColor: fills,
          borderColor: colours,
          borderWidth: 2,
          pointRadius: 6,
          pointHoverRadius: 8,
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (ctx) => {
                const p = spec.points[ctx.dataIndex];
                const text = `${p.label}: ${number.format(p.x)}% · ${number.format(p.y)}`;
                return p.small ? `${text} (n=${integer.format(p.n)})` : text;
              },
            },
          },
        },
        scales: {
          x: { title: { display: true, text: spec.xLabel }, ticks: { callback: (v) => number.format(v) } },
          y: { title: { display: true, text: spec.yLabel }, ticks: { callback: (v) => number.format(v) } },
        },
        ...linking((el) => spec.points[el.index].url),
      },
    };
  }

  const builders = { sparkline, band, stacked, matrix };

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof window.Chart === "undefined") return;
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    const build = builders[spec.kind];
    if (!build) return;
    canvas.dataset.drawn = "1";
    new window.Chart(canvas, build(spec));
  }

  function drawAll(root) {
    for (const canvas of root.querySelectorAll("canvas[data-chart]")) draw(canvas);
  }

  document.addEventListener("DOMContentLoaded", () => {
    drawAll(document);
    // The custom period's dates only matter when "custom" is chosen.
    for (const select of document.querySelectorAll("select[data-period]")) {
      const toggle = () => {
        for (const el of document.querySelectorAll("[data-custom-period]")) {
          el.hidden = select.value !== "custom";
        }
      };
      select.addEventListener("change", toggle);
      toggle();
    }
    // The two groups only matter when comparing two groups.
    for (const select of document.querySelectorAll("select[data-compare]")) {
      const toggle = () => {
        for (const el of document.querySelectorAll("[data-compare-groups]")) {
          el.hidden = select.value !== "groups";
        }
      };
      select.addEventListener("change", toggle);
      toggle();
    }
  });
  // Parts of the page swapped in by htmx get their charts too.
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
})();
