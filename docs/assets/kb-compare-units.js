/* 各单位对照: reading the report sections of one work area side by side.
 *
 * The page (hooks/kb/site/templates/compare_units.md.j2) ships a unit × year
 * table that reads without JavaScript, a hidden form (kind, years, units,
 * layout) and, in data-files, which JSON files of section texts exist beside
 * the page: {kind: {year: number of parts}} (hooks/kb/site/compare_units.py).
 * This script shows the form, loads the files of the chosen kind and years on
 * demand and shows the sections next to each other, one column per unit (or
 * per year). The choice is kept in the URL (?kind=problem&year=2019&unit=…&by=year)
 * so a view can be shared; it is restored on load.
 *
 * Section HTML in the files was cleaned at build time to the entry pages'
 * allow-list (kb.text.html); every other value is set as text. On a file: page
 * (offline edition) the files are loaded as scripts (<file>.js) instead of fetch().
 */
(function () {
  "use strict";

  var MAX_SHOWN = 200; // sections rendered at once
  var DEFAULT_YEARS = 3; // years checked when a kind is chosen without years
  var KIND_LABELS = { achievement: "工作成效", experience: "经验做法", problem: "存在问题", plan: "工作计划", suggestion: "对策建议" };
  var cache = {};

  function loadScript(area, name) {
    var key = area + "/" + name;
    var store = (window.__kbUnits = window.__kbUnits || {});
    if (store[key]) return Promise.resolve(store[key]);
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = new URL(name + ".js", window.location.href).href;
      s.onload = function () { store[key] ? resolve(store[key]) : reject(new Error(name)); };
      s.onerror = function () { reject(new Error(name)); };
      document.head.appendChild(s);
    });
  }

  function load(area, name) {
    var url = new URL(name, window.location.href).href;
    if (!cache[url]) {
      cache[url] = window.location.protocol === "file:" ? loadScript(area, name)
        : fetch(url).then(function (r) {
          if (!r.ok) throw new Error(name + "（" + r.status + "）");
          return r.json();
        });
      cache[url].catch(function () { delete cache[url]; }); // a failed load may be retried
    }
    return cache[url];
  }

  function fileNames(kind, year, parts) {
    var out = [];
    for (var i = 1; i <= parts; i++) out.push(kind + "-" + year + (i === 1 ? "" : "-" + i) + ".json");
    return out;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function checked(inputs) {
    return inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
  }

  function setup(block) {
    if (block.getAttribute("data-kb-units-ready")) return;
    var form = block.querySelector("form.kb-units-form");
    var read = block.querySelector(".kb-units-read");
    if (!form || !read) return;
    block.setAttribute("data-kb-units-ready", "1");
    var area = block.getAttribute("data-area");
    var files = JSON.parse(block.getAttribute("data-files") || "{}");
    var all = function (name) { return Array.prototype.slice.call(form.querySelectorAll("input[name=" + name + "]")); };
    var kinds = all("kind"), years = all("year"), units = all("unit"), bys = all("by");
    var unitOrder = {};
    units.forEach(function (u, i) { unitOrder[u.value] = i; });
    var token = 0;

    function kindValue() { var k = checked(kinds); return k.length ? k[0] : ""; }
    function byValue() { var b = checked(bys); return b.length ? b[0] : "unit"; }

    function defaultYears(kind) {
      var have = files[kind] || {};
      var n = 0;
      years.forEach(function (y) { // newest first in the form
        y.checked = !!have[y.value] && n < DEFAULT_YEARS;
        if (y.checked) n++;
      });
    }

    function writeUrl() {
      if (!window.history || !window.URLSearchParams) return;
      var params = new URLSearchParams(window.location.search);
      ["kind", "year", "unit", "by"].forEach(function (k) { params.delete(k); });
      var kind = kindValue();
      if (kind) {
        params.set("kind", kind);
        checked(years).forEach(function (y) { params.append("year", y); });
        checked(units).forEach(function (u) { params.append("unit", u); });
        if (byValue() !== "unit") params.set("by", byValue());
      }
      var query = params.toString();
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }

    function message(text) {
      read.textContent = "";
      read.appendChild(el("p", "kb-units-note", text));
    }

    function render(kind, sections) {
      var chosenUnits = checked(units);
      if (chosenUnits.length) sections = sections.filter(function (s) { return chosenUnits.indexOf(s.unit) >= 0; });
      var by = byValue();
      sections.sort(function (a, b) {
        return (a.year - b.year) || ((unitOrder[a.unit] || 0) - (unitOrder[b.unit] || 0)) || (a.order - b.order);
      });
      read.textContent = "";
      if (!sections.length) {
        message("所选年度和单位没有“" + KIND_LABELS[kind] + "”段落，请选择其他年度或单位。");
        return;
      }
      var shown = sections.slice(0, MAX_SHOWN);
      var groups = [], byKey = {};
      shown.forEach(function (s) {
        var key = by === "year" ? String(s.year) : s.unit;
        if (!byKey[key]) {
          byKey[key] = { key: key, level: s.level, items: [] };
          groups.push(byKey[key]);
        }
        byKey[key].items.push(s);
      });
      if (by === "unit") groups.sort(function (a, b) { return unitOrder[a.key] - unitOrder[b.key]; });
      var head = KIND_LABELS[kind] + "：" + sections.length + " 段，来自 " +
        Object.keys(sections.reduce(function (m, s) { m[s.unit] = 1; return m; }, {})).length + " 个单位";
      if (sections.length > shown.length) head += "（只显示前 " + shown.length + " 段，请减少年度或单位）";
      read.appendChild(el("h2", "kb-units-title", head));
      var cols = el("div", "kb-units-cols");
      groups.forEach(function (g) {
        var col = el("section", "kb-units-col");
        var h = el("h3", "kb-units-colhead", by === "year" ? g.key + " 年" : g.key);
        if (by === "unit") h.appendChild(el("small", "", "（" + g.level + "）"));
        col.appendChild(h);
        g.items.forEach(function (s) {
          var art = el("article", "kb-units-sec");
          var h4 = el("h4");
          var a = el("a", "", s.year + "年" + (s.period === "年度" ? "度" : s.period) + " · " + s.heading);
          a.href = s.href;
          h4.appendChild(a);
          art.appendChild(h4);
          art.appendChild(el("p", "kb-meta", by === "year" ? s.unit + " · " + s.report : s.report));
          var text = el("div", "kb-units-text");
          text.innerHTML = s.html; // cleaned at build time (kb.text.html allow-list)
          art.appendChild(text);
          col.appendChild(art);
        });
        cols.appendChild(col);
      });
      read.appendChild(cols);
    }

    function update(updateUrl) {
      if (updateUrl) writeUrl();
      var kind = kindValue();
      var mine = ++token;
      if (!kind) {
        read.hidden = true;
        read.textContent = "";
        return;
      }
      read.hidden = false;
      var have = files[kind] || {};
      var names = [];
      checked(years).forEach(function (y) { if (have[y]) names = names.concat(fileNames(kind, y, have[y])); });
      if (!names.length) {
        message("请选择年度。");
        return;
      }
      message("正在加载段落……");
      Promise.all(names.map(function (n) { return load(area, n); })).then(function (docs) {
        if (mine !== token) return; // a newer choice is on its way
        var sections = [], order = 0;
        docs.forEach(function (d) {
          d.sections.forEach(function (s) {
            var copy = Object.assign({ order: order++ }, s);
            sections.push(copy);
          });
        });
        render(kind, sections);
      }).catch(function (err) {
        if (mine !== token) return;
        message("段落文本加载失败（" + err.message + "），请刷新页面，或使用下方表格中的链接阅读。");
      });
    }

    if (window.URLSearchParams) {
      var initial = new URLSearchParams(window.location.search);
      var k = initial.get("kind");
      kinds.forEach(function (i) { i.checked = i.value === k && !i.disabled; });
      var ys = initial.getAll("year"), us = initial.getAll("unit");
      years.forEach(function (i) { i.checked = ys.indexOf(i.value) >= 0; });
      units.forEach(function (i) { i.checked = us.indexOf(i.value) >= 0; });
      var b = initial.get("by");
      bys.forEach(function (i) { i.checked = i.value === (b === "year" ? "year" : "unit"); });
      if (kindValue() && !checked(years).length) defaultYears(kindValue());
    }
    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t && t.name === "kind" && !checked(years).length) defaultYears(t.value);
      update(true);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    update(false);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-kb-units]"), setup);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material: also after instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
