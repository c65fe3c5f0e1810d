/* Bar charts for elements with a data-chart attribute:
   {"labels": [...], "values": [...], "name": "记录数", "horizontal": false}
   "type": "line" draws a line instead; "percent": true reads the values as percentages (0-100). */
(function () {
  "use strict";
  function draw(el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    var cat = { type: "category", data: spec.labels, axisLabel: { interval: 0 } };
    var val = { type: "value", minInterval: 1 };
    if (spec.percent) { val.max = 100; val.axisLabel = { formatter: "{value}%" }; }
    if (spec.horizontal) { cat.inverse = true; } else { cat.axisLabel.rotate = spec.labels.length > 8 ? 30 : 0; }
    chart.setOption({
      color: ["#1d4e89"],
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: spec.horizontal ? val : cat,
      yAxis: spec.horizontal ? cat : val,
      series: [{ type: spec.type === "line" ? "line" : "bar", name: spec.name || "", data: spec.values, barMaxWidth: 28,
                 label: { show: true, position: spec.horizontal ? "right" : "top" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
