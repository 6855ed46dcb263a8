/* 知识库站内搜索引擎（浏览器端，无界面）。索引由 hooks/kb/site/search/ 在构建时生成，位于 search/idx/。
 *
 * Public API (stable; changes are announced in commits starting with "Search core API:"):
 *
 *   var engine = KBSearch.create({base: <site root URL or index URL ".../search/idx/">});
 *   // base defaults to the site this script belongs to (KBSearch.siteRoot).
 *   engine.ready()  -> Promise<{entries, units, facets: {name: [[value, label], ...]}}>
 *   engine.search(query, {filters: {type, area, status, year, level, kind}, sort: "relevance"|"newest"|"oldest",
 *                         offset: 0, limit: 10, facets: false})
 *     -> Promise<{
 *          query, offset, limit,
 *          total: {results, entries, sections, estimate},   // estimate: true when the counts are "约"
 *          facets: {name: {value: count}} | null,            // only with {facets: true}
 *          needles: [normalised strings to highlight],
 *          results: [{url, title, entryTitle, entry, anchor, type, typeLabel, kind, areas, year, date,
 *                     status, level, snippet, marks: [[start, end], ...] (in snippet), why, score}]
 *        }>
 *   engine.normalize(text) -> Promise<string>  (same length as text; Traditional -> Simplified, width, case)
 *   engine.label(facet, value) -> display label (after ready())
 *   KBSearch.siteRoot: URL of the site root this script was loaded from; KBSearch.searchPage: URL of search/.
 *
 * Several engines (one per base) may coexist. Under file:// (offline edition) index files are loaded
 * as scripts (<file>.js, see hooks/kb/publish/offline.py) instead of fetch().
 * 查询和索引使用同一张繁→简单字对照表（构建时由 OpenCC 生成），繁简查询等价；显示原文。
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var SITE_ROOT = script ? new URL("..", script.src) : new URL("./", location.href);
  var FILE = location.protocol === "file:";
  var FACETS = ["type", "area", "status", "year", "level", "kind"];
  var TOKEN_RE = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+/g;

  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  // Offline script loads share one global store; load one file name at a time.
  var scriptQueue = Promise.resolve();

  function loadScript(url, rel, kind) {
    var run = function () {
      return new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = url + ".js";
        s.onload = function () {
          var store = window.__kbIdx || {};
          if (!(rel in store)) { reject(new Error(rel + ": 索引文件内容无效")); return; }
          var v = store[rel];
          delete store[rel];
          s.remove();
          if (kind === "json") { resolve(v); return; }
          var bin = atob(v), out = new Uint8Array(bin.length);
          for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
          resolve(out);
        };
        s.onerror = function () { reject(new Error(rel + ": 无法加载（离线版请用 kb publish --offline 或 KB_OFFLINE=1 生成）")); };
        document.head.appendChild(s);
      });
    };
    var p = scriptQueue.then(run, run);
    scriptQueue = p.catch(function () {});
    return p;
  }

  function fnv1a(term) {
    var bytes = encoder.encode(term), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }

  function u32(b, p) { return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0; }

  function varints(buf) {
    var out = [], pos = 0;
    while (pos < buf.length) {
      var n = 0, shift = 0, b;
      do { b = buf[pos++]; n += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
      out.push(n);
    }
    return out;
  }

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

  /** Posting list -> {ids: sorted Uint32Array, w: weights or null}. */
  function decode(rec) {
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

  function isCjk(s) { return s.charCodeAt(0) >= 0x3400; }

  /** Fold width and case of one UTF-16 unit (the part of normalisation that needs no table). */
  function fold(c) {
    if (c >= 0x41 && c <= 0x5a) return c + 32;
    if (c >= 0xff21 && c <= 0xff3a) return c - 0xfee0 + 32;
    if (c >= 0xff01 && c <= 0xff5e) return c - 0xfee0;
    if (c === 0x3000) return 0x20;
    return c;
  }

  function indexUrl(base) {
    var u = new URL(base || SITE_ROOT, location.href);
    if (!/\/$/.test(u.pathname)) u = new URL(u.pathname + "/", u);
    if (/\/search\/idx\/$/.test(u.pathname)) return { idx: u, root: new URL("../../", u) };
    return { idx: new URL("search/idx/", u), root: u };
  }

  function create(options) {
    options = options || {};
    var where = indexUrl(options.base);
    var IDX = where.idx, ROOT = where.root;
    var cache = new Map();
    var shardCache = new Map();
    var manifestPromise = null;
    var jobs = new Map();  // query key -> job, for paging
    var m = null;

    function fetchOnce(rel, kind) {
      if (!cache.has(rel)) {
        var url = new URL(rel, IDX).href;
        cache.set(rel, FILE && IDX.protocol === "file:" ? loadScript(url, rel, kind) : fetch(url).then(function (r) {
          if (!r.ok) throw new Error(rel + ": " + r.status);
          return kind === "json" ? r.json() : r.arrayBuffer().then(function (b) { return new Uint8Array(b); });
        }));
      }
      return cache.get(rel);
    }

    function manifest() {
      if (!manifestPromise) {
        manifestPromise = Promise.all([fetchOnce("manifest.json", "json"), fetchOnce("units.bin")]).then(function (res) {
          var mf = res[0], counts = varints(res[1]);
          var map = new Map();
          var t = mf.t2s || "";
          for (var i = 0; i + 1 < t.length; i += 2) map.set(t.charCodeAt(i), t.charCodeAt(i + 1));
          mf.map = map;
          var unitEntry = new Uint32Array(mf.units), unitFirst = new Uint32Array(counts.length + 1), u = 0;
          counts.forEach(function (n, e) { unitFirst[e] = u; for (var k = 0; k < n; k++) unitEntry[u++] = e; });
          unitFirst[counts.length] = u;
          mf.unitEntry = unitEntry;
          mf.unitFirst = unitFirst;
          mf.labels = {};
          FACETS.forEach(function (f) {
            mf.labels[f] = {};
            (mf.facets[f] || []).forEach(function (v) { mf.labels[f][v[0]] = v[1]; });
          });
          m = mf;
          return mf;
        });
        manifestPromise.catch(function () { manifestPromise = null; cache.clear(); });
      }
      return manifestPromise;
    }

    /** Same mapping as kb.site.search.normalize: one UTF-16 unit in, one out. */
    function normalizeWith(text) {
      var out = new Array(text.length);
      for (var i = 0; i < text.length; i++) {
        var c = fold(text.charCodeAt(i));
        if (c >= 0x3400) { var s = m.map.get(c); if (s !== undefined) c = s; }
        out[i] = String.fromCharCode(c);
      }
      return out.join("");
    }

    function record(term) {
      var big = m.large[term];
      if (big) return fetchOnce("l/" + big[0] + ".bin").then(function (b) { return parseRecords(b, 0, 1).get(term) || null; });
      var shard = fnv1a(term) % m.shards;
      if (!shardCache.has(shard)) {
        shardCache.set(shard, fetchOnce("s/" + shard + ".bin").then(function (b) { return parseRecords(b, 4, u32(b, 0)); }));
      }
      return shardCache.get(shard).then(function (recs) { return recs.get(term) || null; });
    }

    /** Terms of a query: quoted parts are required phrases; other parts are split at spaces. */
    function parseQuery(q) {
      var out = [], re = /"([^"]+)"|“([^”]*)”|「([^」]*)」|(\S+)/g, mm;
      while ((mm = re.exec(q))) {
        var quoted = mm[4] === undefined;
        var raw = mm[1] || mm[2] || mm[3] || mm[4] || "";
        var norm = normalizeWith(raw);
        var pieces = norm.match(TOKEN_RE) || [];
        if (!pieces.length) continue;
        out.push({ raw: raw, phrase: norm.replace(/\s+/g, ""), pieces: pieces, quoted: quoted });
      }
      return out;
    }

    /** Keys whose posting lists must all contain a unit; large lists are used only where needed. */
    function requiredKeys(term) {
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
        chosen.forEach(function (g) { if (keys.indexOf(g) < 0) keys.push(g); });
      });
      return keys;
    }

    function intersect(a, b) {
      var ids = [], score = [], i = 0, j = 0;
      while (i < a.ids.length && j < b.ids.length) {
        if (a.ids[i] < b.ids[j]) i++;
        else if (a.ids[i] > b.ids[j]) j++;
        else { ids.push(a.ids[i]); score.push(a.score[i] + (b.w ? b.w[j] : 0)); i++; j++; }
      }
      return { ids: ids, score: score };
    }

    /** AND of posting lists: {ids, score}; lists marked unscored add no score. */
    function andLists(lists) {
      lists.sort(function (x, y) { return x.ids.length - y.ids.length; });
      var first = lists[0];
      var acc = { ids: first.ids, score: Array.prototype.map.call(first.ids, function (_, i) { return first.scored ? (first.w ? first.w[i] : 1) : 0; }) };
      for (var i = 1; i < lists.length && acc.ids.length; i++) {
        var l = lists[i];
        acc = intersect(acc, l.scored ? (l.w ? l : { ids: l.ids, w: new Uint8Array(l.ids.length).fill(1) }) : { ids: l.ids, w: null });
      }
      return acc;
    }

    function candidates(terms, filters) {
      var keys = [];
      terms.forEach(function (t) { requiredKeys(t).forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); }); });
      var scored = keys.length;
      FACETS.forEach(function (f) { if (filters[f]) keys.push("@" + f + ":" + filters[f]); });
      if (!keys.length) return Promise.resolve([]);
      return Promise.all(keys.map(record)).then(function (recs) {
        var acc = andLists(recs.map(function (r, i) { var d = decode(r); d.scored = i < scored; return d; }));
        var out = [];
        for (var i = 0; i < acc.ids.length; i++) out.push({ uid: acc.ids[i], score: acc.score[i] });
        out.sort(function (x, y) { return y.score - x.score || x.uid - y.uid; });
        return out;
      });
    }

    function entryDoc(n) { return fetchOnce("d/" + n + ".json", "json"); }

    /** Load unit texts for a batch of candidates and check phrases. */
    function verify(batch, terms) {
      return Promise.all(batch.map(function (c) {
        var n = m.unitEntry[c.uid];
        return entryDoc(n).then(function (doc) {
          var unit = doc.units[c.uid - m.unitFirst[n]];
          var hay = normalizeWith(unit.title + "\n" + (unit.anchor ? "" : doc.meta + "\n") + unit.text).replace(/\s+/g, "");
          var exact = 0, missing = false;
          terms.forEach(function (t) {
            if (hay.indexOf(t.phrase) >= 0) exact++;
            else if (t.quoted) missing = true;
          });
          return { uid: c.uid, score: c.score, doc: doc, unit: unit, exact: exact, keep: !missing };
        });
      }));
    }

    function needlesOf(terms) {
      var needles = [];
      terms.forEach(function (t) { needles.push(t.phrase); t.pieces.forEach(function (p) { if (p !== t.phrase) needles.push(p); }); });
      return needles;
    }

    function marksIn(text, needles) {
      var norm = normalizeWith(text), hits = [];
      needles.forEach(function (nd) {
        var from = 0, at;
        while (nd && (at = norm.indexOf(nd, from)) >= 0) { hits.push([at, at + nd.length]); from = at + nd.length; }
      });
      hits.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
      var out = [], pos = 0;
      hits.forEach(function (h) { if (h[0] >= pos) { out.push(h); pos = h[1]; } });
      return out;
    }

    function snippetOf(text, needles) {
      var norm = normalizeWith(text), first = -1;
      needles.forEach(function (nd) { var at = norm.indexOf(nd); if (at >= 0 && (first < 0 || at < first)) first = at; });
      if (first < 0) first = 0;
      var start = Math.max(0, first - 30), end = Math.min(text.length, start + 140);
      return (start > 0 ? "…" : "") + text.slice(start, end).replace(/\s+/g, " ") + (end < text.length ? "…" : "");
    }

    function toResult(r, needles) {
      var doc = r.doc, unit = r.unit;
      var source = unit.text || doc.meta;
      var norm = normalizeWith(source);
      if (!needles.some(function (nd) { return norm.indexOf(nd) >= 0; }) && !unit.anchor) source = doc.meta + "。" + unit.text;
      var snippet = snippetOf(source, needles);
      var title = unit.anchor ? unit.title : doc.title;
      return {
        url: new URL(doc.url + (unit.anchor ? "#" + unit.anchor : ""), ROOT).href,
        title: title,
        titleMarks: marksIn(title, needles),
        entryTitle: doc.title,
        entry: doc.id,
        anchor: unit.anchor,
        type: doc.type,
        typeLabel: doc.typeLabel,
        kind: unit.kind || "",
        areas: unit.anchor ? unit.areas : doc.areas,
        year: doc.year,
        date: doc.date || "",
        status: doc.status,
        level: doc.level,
        snippet: snippet,
        marks: marksIn(snippet, needles),
        why: r.why || (r.exact ? "正文" : "相关"),
        score: r.score,
      };
    }

    function jobFor(query, opts) {
      var filters = opts.filters || {};
      var key = JSON.stringify([query, FACETS.map(function (f) { return filters[f] || ""; }), opts.sort || "relevance"]);
      if (jobs.has(key)) return jobs.get(key);
      var job = manifest().then(function () {
        var terms = parseQuery(query);
        var hasFilter = FACETS.some(function (f) { return filters[f]; });
        if (!terms.length && !hasFilter) return { terms: [], cands: [], next: 0, ready: [] };
        return candidates(terms, filters).then(function (cands) {
          return { terms: terms, cands: cands, next: 0, ready: [] };
        });
      });
      jobs.set(key, job);
      if (jobs.size > 20) jobs.delete(jobs.keys().next().value);
      return job;
    }

    function search(query, opts) {
      opts = opts || {};
      var offset = opts.offset || 0, limit = opts.limit == null ? 10 : opts.limit;
      return jobFor(String(query || "").trim(), opts).then(function (job) {
        var want = offset + limit;
        function step() {
          if (job.ready.length >= want || job.next >= job.cands.length) return Promise.resolve();
          var batch = job.cands.slice(job.next, job.next + Math.max(10, limit));
          job.next += batch.length;
          return verify(batch, job.terms).then(function (rs) {
            var kept = rs.filter(function (r) { return r.keep; });
            kept.sort(function (x, y) { return y.exact - x.exact || y.score - x.score || x.uid - y.uid; });
            job.ready = job.ready.concat(kept);
            return step();
          });
        }
        return step().then(function () {
          var needles = needlesOf(job.terms);
          var done = job.next >= job.cands.length;
          var total = done ? job.ready.length : job.cands.length;
          var sections = 0, entries = new Set();
          (done ? job.ready : job.cands).forEach(function (c) {
            var n = m.unitEntry[c.uid];
            entries.add(n);
            if (c.uid !== m.unitFirst[n]) sections++;
          });
          return {
            query: query, offset: offset, limit: limit,
            total: { results: total, entries: entries.size, sections: sections, estimate: !done },
            facets: null,
            needles: needles,
            results: job.ready.slice(offset, want).map(function (r) { return toResult(r, needles); }),
          };
        });
      });
    }

    return {
      base: ROOT.href,
      index: IDX.href,
      ready: function () {
        return manifest().then(function (mf) { return { entries: mf.entries, units: mf.units, facets: mf.facets }; });
      },
      search: search,
      normalize: function (text) { return manifest().then(function () { return normalizeWith(text); }); },
      label: function (facet, value) { return (m && m.labels[facet] && m.labels[facet][value]) || value; },
    };
  }

  var defaultEngine = null;
  window.KBSearch = {
    create: create,
    siteRoot: SITE_ROOT.href,
    searchPage: new URL(FILE ? "search/index.html" : "search/", SITE_ROOT).href,
    facets: FACETS.slice(),
    /** The engine of this site (created on first use). */
    get default() { return defaultEngine || (defaultEngine = create({ base: SITE_ROOT.href })); },
  };
})();
