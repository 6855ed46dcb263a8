/* 知识库站内搜索：索引格式的底层函数（解码、归一化、数字、片段），供 kb-search-core.js 使用。
 * Internal: window.KBSearchLib may change with the index format; use window.KBSearch instead.
 */
(function () {
  "use strict";

  var FILE = location.protocol === "file:";
  var FACETS = ["type", "area", "status", "year", "level", "kind"];
  var TITLE_BONUS = 16;  // kb.site.search.build.TITLE_BONUS
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
  function decode(rec, nUnits) {
    if (!rec) return { ids: new Uint32Array(0), w: new Uint8Array(0) };
    var ids = new Uint32Array(rec.df), w, d = rec.data, n = 0;
    if (rec.kind === 1 || rec.kind === 2) {
      var len = rec.kind === 2 ? Math.ceil(nUnits / 8) : d.length;
      for (var i = 0; i < len; i++) {
        var byte = d[i];
        for (var bit = 0; byte; bit++, byte >>= 1) if (byte & 1) ids[n++] = i * 8 + bit;
      }
      w = null;
      if (rec.kind === 2) {  // then the ids with the term in their title (kb.site.search.encode)
        w = new Uint8Array(rec.df).fill(1);
        var titles = varints(d.subarray(len)), at = 0, prev = -1;
        titles.forEach(function (gap) {
          prev += gap + 1;
          while (ids[at] < prev) at++;
          w[at] = 1 + TITLE_BONUS;
        });
      }
    } else {
      var p = 0, prev2 = -1;
      for (var k = 0; k < rec.df; k++) {
        var v = 0, shift = 0, b;
        do { b = d[p++]; v += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
        prev2 = prev2 + v + 1;
        ids[k] = prev2;
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

  /** Chinese (or Arabic) numeral below 10,000 -> integer, or null (as kb.text.numerals.to_int). */
  var DIGITS = { "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9 };
  var UNITS = { "十": 10, "百": 100, "千": 1000 };
  function toInt(text) {
    if (!text) return null;
    if (/^[0-9]+$/.test(text)) return parseInt(text, 10);
    var chars = Array.from(text);
    if (chars.every(function (c) { return c in DIGITS; })) return parseInt(chars.map(function (c) { return DIGITS[c]; }).join(""), 10);
    var total = 0, current = null, last = 10000;
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i];
      if (c in DIGITS) { if (current) return null; current = DIGITS[c]; }
      else if (c in UNITS) {
        if (UNITS[c] >= last || current === 0) return null;
        total += (current === null ? 1 : current) * UNITS[c]; last = UNITS[c]; current = null;
      } else return null;
    }
    return total + (current || 0);
  }

  var NUM = "[零〇一二两三四五六七八九十百千0-9]+";
  var ARTICLE_RE = new RegExp("^(.+?)第?(" + NUM + ")条(?:之(" + NUM + "))?$");
  var YEAR_END_RE = /^(.+?)(\d{4})年?(?:修订|修正|版|本)?$/;
  var YEAR_START_RE = /^(\d{4})年?(?:修订|修正|版|本)?(.+)$/;

    /** Keys whose posting lists must all contain a unit; large lists are used only where needed. */
    function requiredKeys(term, m) {
      var keys = [];
      term.pieces.forEach(function (p) {
        if (!isCjk(p) || p.length === 1) { if (keys.indexOf(p) < 0) keys.push(p); return; }
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
        else { ids.push(a.ids[i]); score.push(a.score[i] + (b.scored ? (b.w ? b.w[j] : 1) : 0)); i++; j++; }
      }
      return { ids: ids, score: score };
    }

    /** AND of decoded posting lists -> {ids, score}; lists with scored=false add no score. */
    function andLists(lists) {
      lists = lists.slice().sort(function (x, y) { return x.ids.length - y.ids.length; });
      var acc = { ids: lists[0].ids, score: new Array(lists[0].ids.length).fill(0) };
      acc = intersect({ ids: acc.ids, score: acc.score }, lists[0]);
      for (var i = 1; i < lists.length && acc.ids.length; i++) acc = intersect(acc, lists[i]);
      return acc;
    }

    function matchesFilters(doc, unit, filters) {
      return FACETS.every(function (f) {
        var v = filters[f];
        if (!v) return true;
        if (f === "area") return (unit.anchor && unit.areas ? unit.areas : doc.areas).indexOf(v) >= 0;
        if (f === "kind") return unit.kind === v;
        if (f === "year") return String(doc.year) === v;
        return doc[f] === v;
      });
    }

    function needlesOf(terms) {
      var needles = [];
      terms.forEach(function (t) { needles.push(t.phrase); t.pieces.forEach(function (p) { if (p !== t.phrase) needles.push(p); }); });
      return needles;
    }

    function marksIn(norm, needles) {
      var hits = [];
      needles.forEach(function (nd) {
        var from = 0, at;
        while (nd && (at = norm.indexOf(nd, from)) >= 0) { hits.push([at, at + nd.length]); from = at + nd.length; }
      });
      hits.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
      var out = [], pos = 0;
      hits.forEach(function (h) { if (h[0] >= pos) { out.push(h); pos = h[1]; } });
      return out;
    }

    /** {text, marks} of about 140 characters around the first needle. */
    function snippetOf(text, norm, needles) {
      var first = -1;
      needles.forEach(function (nd) { var at = norm.indexOf(nd); if (at >= 0 && (first < 0 || at < first)) first = at; });
      if (first < 0) first = 0;
      var start = Math.max(0, first - 30), end = Math.min(text.length, start + 140);
      var pre = start > 0 ? "…" : "", post = end < text.length ? "…" : "";
      var piece = pre + text.slice(start, end).replace(/\s/g, " ") + post;
      var npiece = pre + norm.slice(start, end).replace(/\s/g, " ") + post;
      return { text: piece, marks: marksIn(npiece, needles) };
    }

    function countFacets(table, list, m, only) {
      var out = {};
      (only || FACETS).forEach(function (f) { out[f] = {}; });
      list.forEach(function (c) {
        var e = table.entries[m.unitEntry[c.uid]], s = table.sections.get(c.uid);
        var vals = { type: e.type, status: e.status, year: e.year, level: e.level, kind: s ? s.kind : 0 };
        Object.keys(out).forEach(function (f) {
          if (f === "area") {
            var mask = s && s.area ? s.area : e.area;
            for (var b = 0; mask; b++, mask = Math.floor(mask / 2)) {
              if (mask & 1) { var a = m.facets.area[b][0]; out.area[a] = (out.area[a] || 0) + 1; }
            }
          } else if (vals[f]) {
            var val = m.facets[f][vals[f] - 1][0];
            out[f][val] = (out[f][val] || 0) + 1;
          }
        });
      });
      return out;
    }

  /** Known-item keys to try for a query key: as typed, without an article number, without a year. */
  function knownTries(key) {
    var tries = [{ key: key }];
    var a = ARTICLE_RE.exec(key);
    if (a && toInt(a[2])) tries.push({ key: a[1], article: "article-" + toInt(a[2]) + (a[3] && toInt(a[3]) ? "-" + toInt(a[3]) : "") });
    tries.slice().forEach(function (t) {
      var y = YEAR_END_RE.exec(t.key), s = YEAR_START_RE.exec(t.key);
      if (y) tries.push({ key: y[1], year: +y[2], article: t.article });
      else if (s) tries.push({ key: s[2], year: +s[1], article: t.article });
    });
    return tries;
  }

  /** facets.bin -> {entries: [{type, status, year, level, area}], sections: Map(uid -> {kind, area})}. */
  function parseFacetTable(buf, m) {
    var p = 0, report = (m.facets.type.findIndex(function (x) { return x[0] === "report"; })) + 1;
    function next() {
      var n = 0, shift = 0, b;
      do { b = buf[p++]; n += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
      return n;
    }
    var entries = [], sections = new Map();
    for (var n = 0; n < m.entries; n++) {
      var ts = next();
      var e = { type: ts % 8, status: Math.floor(ts / 8), year: next(), level: next(), area: next() };
      entries.push(e);
      if (e.type !== report) continue;
      for (var u = m.unitFirst[n] + 1; u < m.unitFirst[n + 1]; u++) {
        var b = buf[p++], a = b % 16;  // kind * 16 + area (kb.site.search.build._facet_record)
        sections.set(u, { kind: Math.floor(b / 16), area: a === 0 ? e.area : a === 15 ? next() : Math.pow(2, a - 1) });
      }
    }
    return { entries: entries, sections: sections };
  }

  /** A public result object (see kb-search-core.js) from a verified candidate. */
  function toResult(r, needles, ROOT, normalizeWith) {
    var doc = r.doc, unit = r.unit;
    var text = unit.text, norm = normalizeWith(unit.text, unit.sText);
    if (!text || (!unit.anchor && !needles.some(function (nd) { return norm.indexOf(nd) >= 0; }))) {
      text = doc.meta + "。" + unit.text;
      norm = normalizeWith(doc.meta, doc.sMeta) + "。" + norm;
    }
    var snip = snippetOf(text, norm, needles);
    var title = unit.anchor ? (unit.anchor.indexOf("article-") === 0 ? doc.title + " " + unit.title : unit.title) : doc.title;
    var ntitle = unit.anchor ? (unit.anchor.indexOf("article-") === 0 ? normalizeWith(doc.title, doc.sTitle) + " " : "") +
      normalizeWith(unit.title, unit.sTitle) : normalizeWith(doc.title, doc.sTitle);
    return {
      url: new URL(doc.url + (unit.anchor ? "#" + unit.anchor : ""), ROOT).href,
      title: title, titleMarks: marksIn(ntitle, needles),
      entryTitle: doc.title, entry: doc.id, anchor: unit.anchor,
      type: doc.type, typeLabel: doc.typeLabel, kind: unit.kind || "",
      areas: unit.anchor && unit.areas ? unit.areas : doc.areas,
      year: doc.year, date: doc.date || "", status: doc.status, level: doc.level,
      snippet: snip.text, marks: snip.marks,
      why: r.why, exact: !!r.exact, score: r.score === Infinity ? null : r.score,
    };
  }

  window.KBSearchLib = {
    FILE: FILE, FACETS: FACETS, TOKEN_RE: TOKEN_RE, loadScript: loadScript, fnv1a: fnv1a, u32: u32,
    varints: varints, parseRecords: parseRecords, decode: decode, isCjk: isCjk, fold: fold, toInt: toInt,
    ARTICLE_RE: ARTICLE_RE, YEAR_END_RE: YEAR_END_RE, YEAR_START_RE: YEAR_START_RE,
    requiredKeys: requiredKeys, intersect: intersect, andLists: andLists, matchesFilters: matchesFilters,
    needlesOf: needlesOf, marksIn: marksIn, snippetOf: snippetOf, countFacets: countFacets,
    knownTries: knownTries, parseFacetTable: parseFacetTable, toResult: toResult,
  };
})();
