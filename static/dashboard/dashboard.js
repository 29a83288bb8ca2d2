/* The dashboard's charts, drawn with the vendored ECharts from the numbers the page embeds.
   Every chart's numbers are also in a table on the page, for screen readers and for copying. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var red = "#b71c1c";
  var font = { fontFamily: "system-ui, -apple-system, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif" };
  var charts = [];
  var narrow = window.matchMedia("(max-width: 719px)").matches;

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = echarts.init(element, null, { renderer: "svg" });
    option.textStyle = font;
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
  }

  function categoryAxis(labels, rotate) {
    return { type: "category", data: labels, axisLabel: { interval: 0, rotate: rotate || 0, fontSize: 11 }, axisTick: { alignWithLabel: true } };
  }

  var rainbow = data.rainbow;
  // 一般户 (the last category) outnumbers the others many times over; it starts hidden
  // so the vulnerable households show, and its legend entry brings it back.
  var shown = {};
  rainbow.series.forEach(function (s, i) { shown[s.name] = i < rainbow.series.length - 1; });
  draw("chart-rainbow", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
    legend: { top: 0, itemWidth: 12, itemHeight: 10, itemGap: 8, textStyle: { fontSize: 11 }, selected: shown },
    grid: { left: 8, right: 16, top: narrow ? 52 : 36, bottom: 8, containLabel: true },
    xAxis: narrow ? { type: "value", axisLabel: { fontSize: 10 } } : categoryAxis(rainbow.places, rainbow.places.length > 8 ? 35 : 0),
    yAxis: narrow ? { type: "category", data: rainbow.places, inverse: true, axisLabel: { fontSize: 11 } } : { type: "value" },
    series: rainbow.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "households", data: s.data, itemStyle: { color: s.color }, barMaxWidth: 36 };
    })
  });

  draw("chart-visits", {
    tooltip: { trigger: "axis", confine: true },
    grid: { left: 8, right: 12, top: 16, bottom: 8, containLabel: true },
    xAxis: categoryAxis(data.visits.weeks, narrow ? 45 : 0),
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: data.visits.label, type: "bar", data: data.visits.counts, itemStyle: { color: red }, barMaxWidth: 28 }]
  });

  draw("chart-funnel", {
    tooltip: { trigger: "item", formatter: "{b}：{c}", confine: true },
    series: [{
      type: "funnel", sort: "none", left: narrow ? "4%" : "20%", right: narrow ? "4%" : "20%", top: 8, bottom: 8, minSize: "18%", gap: 2,
      label: { position: "inside", formatter: "{b} {c}", color: "#fff", fontSize: 12 },
      data: data.funnel,
      color: ["#8e1414", "#b71c1c", "#d84343", "#e57373", "#ef9a9a"]
    }]
  });

  draw("chart-hours", {
    tooltip: { trigger: "axis", confine: true },
    grid: { left: 8, right: 12, top: 16, bottom: 8, containLabel: true },
    xAxis: categoryAxis(data.hours.months.map(function (m) { return m.slice(2); }), narrow ? 45 : 0),
    yAxis: { type: "value" },
    series: [{ name: data.hours.label, type: "bar", data: data.hours.hours, itemStyle: { color: red }, barMaxWidth: 28 }]
  });

  function ring(id, rows, colours) {
    draw(id, {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）", confine: true },
      legend: { bottom: 0, itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 11 } },
      series: [{
        type: "pie", radius: ["38%", "64%"], center: ["50%", "44%"], data: rows, color: colours,
        label: { formatter: "{c}", fontSize: 12 }, avoidLabelOverlap: true
      }]
    });
  }
  ring("chart-needs", data.needs, ["#b26a00", "#b71c1c", "#1f6fd1", "#2e7d32"]);
  ring("chart-projects", data.projects, ["#9e9e9e", "#b26a00", "#2e7d32", "#5f6b76"]);

  var cases = data.cases;
  if (cases) {
    draw("chart-cases", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { top: 0, itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 11 } },
      grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
      xAxis: categoryAxis(cases.places, cases.places.length > 8 || narrow ? 35 : 0),
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: cases.labels.received, type: "bar", data: cases.received, itemStyle: { color: "#9e9e9e" }, barMaxWidth: 24 },
        { name: cases.labels.finished, type: "bar", data: cases.finished, itemStyle: { color: red }, barMaxWidth: 24 },
        { name: cases.labels.on_time, type: "line", yAxisIndex: 1, data: cases.on_time, connectNulls: false, itemStyle: { color: "#1f6fd1" } }
      ]
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (chart) { chart.resize(); }); }, 150);
  });
})();
