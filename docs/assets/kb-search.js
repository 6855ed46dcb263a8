/* 知识库站内搜索（浏览器端）。索引由 hooks/kb/site/search.py 在构建时生成，位于 search/idx/。
 *
 * - 每个页面：在页眉放一个搜索框，提交到 search/?q=…（相对站点根目录，支持子路径部署）。
 * - search/ 页面：从网址读取查询和筛选条件（q, type, area, status, year, level, kind），
 *   按需加载索引分片，显示结果；修改条件时同步更新网址，便于收藏和转发。
 *
 * 查询和索引使用同一张繁→简单字对照表（构建时由 OpenCC 生成），所以繁简查询等价；
 * 显示的仍是原文。不访问站外任何资源。
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var ROOT = script ? new URL("..", script.src) : new URL("./", location.href);
  var IDX = new URL("search/idx/", ROOT);
  var PAGE_SIZE = 10;
  var FACETS = ["type", "area", "status", "year", "level", "kind"];
  var TOKEN_RE = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+/g;

  // -- index access ---------------------------------------------------------

  var cache = new Map();

  // Opened from the file system (offline edition, see hooks/kb/publish/offline.py): browsers
  // refuse fetch() of local files, so each index file is loaded as a script
  // (<file>.js) that stores it in window.__kbIdx.
  var FILE = location.protocol === "file:";
  var SEARCH_PAGE = FILE ? "search/index.html" : "search/";

  function loadScript(rel, kind) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = new URL(rel + ".js", IDX).href;
      s.onload = function () {
        var store = window.__kbIdx || {};
        if (!(rel in store)) { reject(new Error(rel + ": 索引文件内容无效")); return; }
        var v = store[rel];
        delete store[rel];
        if (kind === "json") { resolve(v); return; }
        var bin = atob(v), out = new Uint8Array(bin.length);
        for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
        resolve(out);
      };
      s.onerror = function () { reject(new Error(rel + ": 无法加载（离线版请用 kb publish --offline 或 KB_OFFLINE=1 生成）")); };
      document.head.appendChild(s);
    });
  }

  function fetchOnce(rel, kind) {
    if (!cache.has(rel) && FILE) cache.set(rel, loadScript(rel, kind));
    if (!cache.has(rel)) {
      cache.set(rel, fetch(new URL(rel, IDX)).then(function (r) {
        if (!r.ok) throw new Error(rel + ": " + r.status);
        return kind === "json" ? r.json() : r.arrayBuffer().then(function (b) { return new Uint8Array(b); });
      }));
    }
    return cache.get(rel);
  }

  var manifestPromise = null;

  function manifest() {
    if (!manifestPromise) {
      manifestPromise = Promise.all([fetchOnce("manifest.json", "json"), fetchOnce("units.bin")]).then(function (res) {
        var m = res[0], counts = res[1];
        var map = new Map();
        var t = m.t2s;
        for (var i = 0; i + 1 < t.length; i += 2) map.set(t.charCodeAt(i), t.charCodeAt(i + 1));
        m.map = map;
        // unit id -> entry number
        var unitEntry = new Uint32Array(m.units);
        var u = 0, e = 0, pos = 0;
        while (pos < counts.length) {
          var n = 0, shift = 0, b;
          do { b = counts[pos++]; n |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
          for (var k = 0; k < n; k++) unitEntry[u++] = e;
          e++;
        }
        m.unitEntry = unitEntry;
        m.unitFirst = new Uint32Array(e + 1);
        for (var j = m.units - 1; j >= 0; j--) m.unitFirst[unitEntry[j]] = j;
        m.labels = {};
        FACETS.forEach(function (f) {
          m.labels[f] = {};
          (m.facets[f] || []).forEach(function (v) { m.labels[f][v[0]] = v[1]; });
        });
        return m;
      });
    }
    return manifestPromise;
  }

  /** Same mapping as kb.site.search.normalize: one UTF-16 unit in, one out. */
  function normalize(text, m) {
    var out = new Array(text.length);
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0x41 && c <= 0x5a) c += 32;
      else if (c >= 0xff21 && c <= 0xff3a) c = c - 0xfee0 + 32;
      else if (c >= 0xff01 && c <= 0xff5e) c -= 0xfee0;
      else if (c === 0x3000) c = 0x20;
      else if (c >= 0x3400) { var s = m.map.get(c); if (s !== undefined) c = s; }
      out[i] = String.fromCharCode(c);
    }
    return out.join("");
  }

  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  function fnv1a(term) {
    var bytes = encoder.encode(term), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }

  function u32(b, p) { return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0; }

  /** Parse term records: [len][term][kind][df u32][bytes u32][data]. */
  function parseRecords(buf, start, count) {
    var out = new Map(), p = start;
    for (var i = 0; i < count; i++) {
      var tl = buf[p++];
      var term = decoder.decode(buf.subarray(p, p + tl)); p += tl;
      var kind = buf[p++], df = u32(buf, p), len = u32(buf, p + 4); p += 8;
      out.set(term, { kind: kind, df: df, data: buf.subarray(p, p + len) });
      p += len;
    }
    return out;
  }

  var shardCache = new Map();

  function record(term, m) {
    var big = m.large[term];
    if (big) return fetchOnce("l/" + big[0] + ".bin").then(function (b) { return parseRecords(b, 0, 1).get(term) || null; });
    var shard = fnv1a(term) % m.shards;
    if (!shardCache.has(shard)) {
      shardCache.set(shard, fetchOnce("s/" + shard + ".bin").then(function (b) { return parseRecords(b, 4, u32(b, 0)); }));
    }
    return shardCache.get(shard).then(function (recs) { return recs.get(term) || null; });
  }

  /** Posting list -> {ids: sorted Uint32Array, w: weights}. */
  function decode(rec, m) {
    if (!rec) return { ids: new Uint32Array(0), w: new Uint8Array(0) };
    var ids = new Uint32Array(rec.df), w, d = rec.data, n = 0;
    if (rec.kind === 1) {
      for (var i = 0; i < d.length; i++) {
        var byte = d[i];
        for (var bit = 0; byte; bit++, byte >>= 1) if (byte & 1) ids[n++] = i * 8 + bit;
      }
      w = null;
    } else {
      var p = 0, prev = -1;
      for (var k = 0; k < rec.df; k++) {
        var v = 0, shift = 0, b;
        do { b = d[p++]; v += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
        prev = prev + v + 1;
        ids[k] = prev;
      }
      w = d.subarray(p, p + rec.df);
    }
    return { ids: ids, w: w };
  }

  // -- queries --------------------------------------------------------------

  /** Terms of a query: quoted parts are required phrases; other parts are split at spaces. */
  function parseQuery(q, m) {
    var out = [], re = /"([^"]+)"|“([^”]*)”|「([^」]*)」|(\S+)/g, mm;
    while ((mm = re.exec(q))) {
      var quoted = mm[4] === undefined;
      var raw = mm[1] || mm[2] || mm[3] || mm[4] || "";
      var norm = normalize(raw, m);
      var pieces = norm.match(TOKEN_RE) || [];
      if (!pieces.length) continue;
      out.push({ raw: raw, phrase: norm.replace(/\s+/g, ""), pieces: pieces, quoted: quoted });
    }
    return out;
  }

  function isCjk(s) { return s.charCodeAt(0) >= 0x3400; }

  /** Keys whose posting lists must all contain a unit; large lists are used only where needed. */
  function requiredKeys(term, m) {
    var keys = [];
    term.pieces.forEach(function (p) {
      if (!isCjk(p) || p.length === 1) { keys.push(p); return; }
      var grams = [];
      for (var i = 0; i + 1 < p.length; i++) grams.push(p.slice(i, i + 2));
      var covered = new Array(p.length).fill(false), chosen = [];
      grams.forEach(function (g, i) {
        if (!m.large[g]) { chosen.push(g); covered[i] = covered[i + 1] = true; }
      });
      for (var c = 0; c < p.length; c++) {
        if (covered[c]) continue;
        var best = -1;
        [c - 1, c].forEach(function (i) {
          if (i >= 0 && i < grams.length && (best < 0 || m.large[grams[i]][1] < m.large[grams[best]][1])) best = i;
        });
        chosen.push(grams[best]); covered[best] = covered[best + 1] = true;
      }
      chosen.forEach(function (g) { keys.push(g); });
    });
    return keys;
  }

  function intersect(a, b) {
    // a: {ids, score(Float64Array)}, b: decoded postings
    var ids = [], score = [], i = 0, j = 0;
    while (i < a.ids.length && j < b.ids.length) {
      if (a.ids[i] < b.ids[j]) i++;
      else if (a.ids[i] > b.ids[j]) j++;
      else { ids.push(a.ids[i]); score.push(a.score[i] + (b.w ? b.w[j] : 1)); i++; j++; }
    }
    return { ids: ids, score: score };
  }

  function candidates(terms, filters, m) {
    var keys = [];
    terms.forEach(function (t) { requiredKeys(t, m).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); }); });
    var scored = keys.length;
    FACETS.forEach(function (f) { if (filters[f]) keys.push("@" + f + ":" + filters[f]); });
    if (!keys.length) return Promise.resolve(null);
    return Promise.all(keys.map(function (k) { return record(k, m); })).then(function (recs) {
      var lists = recs.map(function (r, i) { var d = decode(r, m); d.scored = i < scored; return d; });
      lists.sort(function (x, y) { return x.ids.length - y.ids.length; });
      var acc = { ids: lists[0].ids, score: new Array(lists[0].ids.length).fill(0) };
      if (lists[0].scored) acc.score = Array.prototype.map.call(lists[0].ids, function (_, i) { return lists[0].w ? lists[0].w[i] : 1; });
      for (var i = 1; i < lists.length && acc.ids.length; i++) {
        var l = lists[i];
        acc = intersect(acc, l.scored ? l : { ids: l.ids, w: new Uint8Array(l.ids.length) });
      }
      var order = Array.prototype.map.call(acc.ids, function (_, i) { return i; });
      order.sort(function (x, y) { return acc.score[y] - acc.score[x] || acc.ids[x] - acc.ids[y]; });
      return order.map(function (i) { return { uid: acc.ids[i], score: acc.score[i] }; });
    });
  }

  function entryDoc(n) { return fetchOnce("d/" + n + ".json", "json"); }

  /** Load unit texts for a batch of candidates and check phrases. */
  function verify(batch, terms, m) {
    return Promise.all(batch.map(function (c) {
      var n = m.unitEntry[c.uid];
      return entryDoc(n).then(function (doc) {
        var unit = doc.units[c.uid - m.unitFirst[n]];
        var hay = normalize(unit.title + "\n" + (unit.anchor ? "" : doc.meta + "\n") + unit.text, m).replace(/\s+/g, "");
        var exact = 0, missing = false;
        terms.forEach(function (t) {
          if (hay.indexOf(t.phrase) >= 0) exact++;
          else if (t.quoted) missing = true;
        });
        return { uid: c.uid, score: c.score, doc: doc, unit: unit, exact: exact, keep: !missing };
      });
    }));
  }

  // -- rendering --------------------------------------------------------------

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /** Append text to node with every occurrence of the query pieces marked. */
  function marked(node, text, needles, m) {
    var norm = normalize(text, m), hits = [];
    needles.forEach(function (nd) {
      var from = 0, at;
      while (nd && (at = norm.indexOf(nd, from)) >= 0) { hits.push([at, at + nd.length]); from = at + nd.length; }
    });
    hits.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var pos = 0;
    hits.forEach(function (h) {
      if (h[0] < pos) return;
      if (h[0] > pos) node.appendChild(document.createTextNode(text.slice(pos, h[0])));
      node.appendChild(el("mark", null, text.slice(h[0], h[1])));
      pos = h[1];
    });
    if (pos < text.length) node.appendChild(document.createTextNode(text.slice(pos)));
  }

  function snippetText(text, needles, m) {
    var norm = normalize(text, m), first = -1;
    needles.forEach(function (nd) { var at = norm.indexOf(nd); if (at >= 0 && (first < 0 || at < first)) first = at; });
    if (first < 0) first = 0;
    var start = Math.max(0, first - 30), end = Math.min(text.length, start + 140);
    return (start > 0 ? "…" : "") + text.slice(start, end).replace(/\s+/g, " ") + (end < text.length ? "…" : "");
  }

  function renderResult(r, terms, m) {
    var doc = r.doc, unit = r.unit;
    var needles = [];
    terms.forEach(function (t) { needles.push(t.phrase); t.pieces.forEach(function (p) { if (p !== t.phrase) needles.push(p); }); });
    var areas = unit.anchor ? unit.areas : doc.areas;
    var li = el("li", "kb-result");
    li.dataset.entry = doc.id;
    li.dataset.type = doc.type;
    li.dataset.areas = areas.join(" ");
    li.dataset.year = String(doc.year);
    li.dataset.status = doc.status;
    li.dataset.level = doc.level;
    if (unit.anchor) li.dataset.anchor = unit.anchor;
    var a = el("a", "kb-result__title");
    a.href = new URL(doc.url + (unit.anchor ? "#" + unit.anchor : ""), ROOT).href;
    marked(a, unit.anchor ? unit.title : doc.title, needles, m);
    li.appendChild(el("div", "kb-result__head")).appendChild(a);
    var meta = el("div", "kb-result__meta");
    meta.appendChild(el("span", "kb-result__type kb-chip", doc.typeLabel));
    if (unit.anchor) {
      if (unit.kind) meta.appendChild(el("span", "kb-kind kb-kind--" + unit.kind, m.labels.kind[unit.kind] || unit.kind));
      meta.appendChild(el("span", "kb-result__from", "出自《" + doc.title + "》"));
    }
    meta.appendChild(el("span", "kb-result__areas", areas.map(function (s) { return m.labels.area[s] || s; }).join("、")));
    meta.appendChild(el("span", "kb-result__year", doc.year + " 年"));
    li.appendChild(meta);
    var source = unit.text || doc.meta;
    var norm = normalize(source, m);
    if (!needles.some(function (nd) { return norm.indexOf(nd) >= 0; }) && !unit.anchor) source = doc.meta + "。" + unit.text;
    var p = el("p", "kb-result__snippet");
    marked(p, snippetText(source, needles, m), needles, m);
    li.appendChild(p);
    return li;
  }

  // -- the results page --------------------------------------------------------

  function readState() {
    var params = new URLSearchParams(location.search), st = { q: params.get("q") || "" };
    FACETS.forEach(function (f) { st[f] = params.get(f) || ""; });
    return st;
  }

  function stateUrl(st) {
    var params = new URLSearchParams();
    if (st.q) params.set("q", st.q);
    FACETS.forEach(function (f) { if (st[f]) params.set(f, st[f]); });
    var s = params.toString();
    return location.pathname + (s ? "?" + s : "");
  }

  function initPage(box) {
    var form = box.querySelector("form");
    var input = form.elements.q;
    var results = document.getElementById("kb-search-results");
    var status = document.getElementById("kb-search-status");
    var more = document.getElementById("kb-search-more");
    var run = 0, current = null;

    function formState() {
      var st = { q: input.value.trim() };
      FACETS.forEach(function (f) { st[f] = form.elements[f] ? form.elements[f].value : ""; });
      return st;
    }

    function fill(st) {
      input.value = st.q;
      FACETS.forEach(function (f) {
        var sel = form.elements[f];
        if (!sel) return;
        sel.value = st[f];
        if (sel.value !== st[f]) sel.value = "";
      });
    }

    function setStatus(text) { status.textContent = text; }

    function showMore() {
      var job = current, token = run;
      if (!job) return Promise.resolve();
      more.hidden = true;
      results.dataset.state = "loading";
      var want = job.shown + PAGE_SIZE;
      function step() {
        if (job.ready.length >= want || job.next >= job.cands.length) return Promise.resolve();
        var batch = job.cands.slice(job.next, job.next + PAGE_SIZE);
        job.next += batch.length;
        return verify(batch, job.terms, job.m).then(function (rs) {
          var kept = rs.filter(function (r) { return r.keep; });
          kept.sort(function (x, y) { return y.exact - x.exact || y.score - x.score || x.uid - y.uid; });
          job.ready = job.ready.concat(kept);
          return step();
        });
      }
      return step().then(function () {
        if (token !== run) return;
        var list = results.querySelector("ol") || results.appendChild(el("ol", "kb-result-list"));
        job.ready.slice(job.shown, want).forEach(function (r) { list.appendChild(renderResult(r, job.terms, job.m)); });
        job.shown = Math.min(want, job.ready.length);
        var quoted = job.terms.some(function (t) { return t.quoted; });
        var total = job.next >= job.cands.length ? job.ready.length : job.cands.length;
        if (!job.shown) setStatus("没有找到匹配的结果。可以减少关键词、去掉引号或筛选条件再试。");
        else setStatus((quoted && job.next < job.cands.length ? "约 " : "共 ") + total + " 条结果" +
          (job.shown < total ? "，显示前 " + job.shown + " 条" : ""));
        more.hidden = !(job.shown < job.ready.length || job.next < job.cands.length);
        results.dataset.count = String(job.shown);
        results.dataset.state = "done";
      });
    }

    function search(st) {
      var token = ++run;
      current = null;
      results.textContent = "";
      more.hidden = true;
      results.dataset.state = "loading";
      results.dataset.query = st.q;
      var hasFilter = FACETS.some(function (f) { return st[f]; });
      if (!st.q && !hasFilter) {
        setStatus("输入关键词开始搜索，繁体、简体均可；用引号（\"…\" 或 “…”）要求完整短语。");
        results.dataset.count = "0";
        results.dataset.state = "done";
        return Promise.resolve();
      }
      setStatus("正在搜索…");
      return manifest().then(function (m) {
        var terms = parseQuery(st.q, m);
        return candidates(terms, st, m).then(function (cands) {
          if (token !== run) return;
          current = { m: m, terms: terms, cands: cands || [], next: 0, ready: [], shown: 0 };
          return showMore();
        });
      }).catch(function (err) {
        if (token !== run) return;
        setStatus("搜索索引加载失败：" + err.message);
        results.dataset.state = "error";
      });
    }

    var timer = null;
    function update(push) {
      var st = formState();
      var url = stateUrl(st);
      if (url !== location.pathname + location.search) {
        try { history[push ? "pushState" : "replaceState"](null, "", url); } catch (e) { /* some file:// pages refuse it */ }
      }
      syncHeader(st.q);
      return search(st);
    }

    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { update(false); }, 120); });
    form.addEventListener("change", function (ev) { if (ev.target !== input) update(true); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); clearTimeout(timer); update(true); });
    more.addEventListener("click", function () { showMore(); });
    window.addEventListener("popstate", function () { var st = readState(); fill(st); syncHeader(st.q); search(st); });

    var st = readState();
    fill(st);
    syncHeader(st.q);
    manifest().catch(function () {});
    search(st);
    window.kbSearch = { search: function (q) { input.value = q; return update(false); } };
  }

  // -- header search box on every page -------------------------------------------

  var headerInput = null;

  function syncHeader(q) { if (headerInput && document.activeElement !== headerInput) headerInput.value = q; }

  function initHeader() {
    var inner = document.querySelector(".md-header__inner");
    if (!inner || inner.querySelector(".kb-header-search")) return;
    var form = el("form", "kb-header-search");
    form.setAttribute("role", "search");
    form.method = "get";
    form.action = new URL(SEARCH_PAGE, ROOT).href;
    headerInput = el("input", "kb-header-search__input");
    headerInput.type = "search";
    headerInput.name = "q";
    headerInput.placeholder = "搜索知识库";
    headerInput.setAttribute("aria-label", "搜索知识库");
    headerInput.autocomplete = "off";
    form.appendChild(headerInput);
    var page = document.getElementById("kb-search");
    form.addEventListener("submit", function (ev) {
      if (!page) return; // normal navigation to search/?q=
      ev.preventDefault();
      var input = page.querySelector("form").elements.q;
      input.value = headerInput.value;
      input.dispatchEvent(new Event("input"));
    });
    var source = inner.querySelector(".md-header__source");
    inner.insertBefore(form, source);
    headerInput.addEventListener("focus", function () { manifest().catch(function () {}); }, { once: true });
  }

  function start() {
    initHeader();
    var box = document.getElementById("kb-search");
    if (box) initPage(box);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
