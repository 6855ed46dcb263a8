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
 *          total: {results, entries, sections, exact, estimate},
 *            // results = entries' own units + sections/articles; sections = results that are a report section
 *            // or an article; exact = results holding every word as typed (null until all are checked);
 *            // estimate: true when the counts are "约" (quoted words not yet checked on every candidate)
 *          facets: {name: {value: count}} | null,            // only with {facets: true}
 *          needles: [normalised strings to highlight],
 *          results: [{url, title, titleMarks, entryTitle, entry, anchor, type, typeLabel, kind, areas, year, date,
 *                     status, level, snippet, marks: [[start, end], ...] (in snippet), exact, score,
 *                     why: "标题" | "简称" | "文号" (known item) | "标题" | "正文" | "相关" (full text)}]
 *        }>
 *   engine.allEntries(query, {filters}) -> Promise<[entry number, ...]>  every result's entry (index order =
 *     d/N.json), for benchmarks and tests
 *   engine.normalize(text) -> Promise<string>  (same length as text; Traditional -> Simplified, width, case)
 *   engine.label(facet, value) -> display label (after ready())
 *   KBSearch.siteRoot: URL of the site root this script was loaded from; KBSearch.searchPage: URL of search/.
 *
 * Needs docs/assets/kb-search-lib.js loaded first. Several engines (one per base) may coexist. Under file:// (offline edition) index files are loaded
 * as scripts (<file>.js, see hooks/kb/publish/offline.py) instead of fetch().
 * 查询和索引使用同一张繁→简单字对照表（构建时由 OpenCC 生成），繁简查询等价；显示原文。
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var SITE_ROOT = script ? new URL("..", script.src) : new URL("./", location.href);
  var L = window.KBSearchLib;
  var FILE = L.FILE, FACETS = L.FACETS, TOKEN_RE = L.TOKEN_RE;
  var loadScript = L.loadScript, fnv1a = L.fnv1a, u32 = L.u32, varints = L.varints, parseRecords = L.parseRecords;
  var decode = L.decode, fold = L.fold, toInt = L.toInt, intersect = L.intersect, andLists = L.andLists;
  var matchesFilters = L.matchesFilters, needlesOf = L.needlesOf, marksIn = L.marksIn, snippetOf = L.snippetOf;

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
    var cache = new Map(), shardCache = new Map(), jobs = new Map();
    var manifestPromise = null, facetPromise = null;
    var m = null;
    var charMap = new Map(), t2sLoaded = new Set();

    function fetchOnce(rel, kind) {
      if (!cache.has(rel)) {
        var url = new URL(rel, IDX).href;
        var p = FILE && IDX.protocol === "file:" ? loadScript(url, rel, kind) : fetch(url).then(function (r) {
          if (!r.ok) throw new Error(rel + ": " + r.status);
          return kind === "json" ? r.json() : r.arrayBuffer().then(function (b) { return new Uint8Array(b); });
        });
        cache.set(rel, p);
        p.catch(function () { cache.delete(rel); });
      }
      return cache.get(rel);
    }

    function manifest() {
      if (!manifestPromise) {
        manifestPromise = Promise.all([fetchOnce("manifest.json", "json"), fetchOnce("units.bin")]).then(function (res) {
          var mf = res[0], counts = varints(res[1]);
          if (typeof mf.t2s === "string") {  // format 1: the whole table in the manifest
            for (var i = 0; i + 1 < mf.t2s.length; i += 2) charMap.set(mf.t2s.charCodeAt(i), mf.t2s.charCodeAt(i + 1));
            mf.t2s = 0;
          }
          // per entry: units * 2 + 1 when its display file is split in parts of PART units (d/N-P.json)
          var unitEntry = new Uint32Array(mf.units), unitFirst = new Uint32Array(counts.length + 1), u = 0;
          mf.split = new Uint8Array(counts.length);
          counts.forEach(function (v, e) {
            unitFirst[e] = u;
            mf.split[e] = v & 1;
            for (var k = 0; k < Math.floor(v / 2); k++) unitEntry[u++] = e;
          });
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
        manifestPromise.catch(function () { manifestPromise = null; });
      }
      return manifestPromise;
    }

    /** Load the parts of the character table that the characters of text need. */
    function prepare(text) {
      var need = [];
      for (var i = 0; i < text.length; i++) {
        var c = text.charCodeAt(i);
        if (c >= 0x3400 && m.t2s) {
          var part = c % m.t2s;
          if (!t2sLoaded.has(part) && need.indexOf(part) < 0) need.push(part);
        }
      }
      return Promise.all(need.map(function (part) {
        return fetchOnce("t/" + part + ".json", "json").then(function (pairs) {
          for (var i = 0; i + 1 < pairs.length; i += 2) charMap.set(pairs.charCodeAt(i), pairs.charCodeAt(i + 1));
          t2sLoaded.add(part);
        });
      }));
    }

    /** Same mapping as kb.site.search.normalize (after prepare(text)): one UTF-16 unit in, one out. */
    function normalizeWith(text, simplified) {
      var src = simplified || text, out = new Array(src.length);
      for (var i = 0; i < src.length; i++) {
        var c = fold(src.charCodeAt(i));
        if (!simplified && c >= 0x3400) { var s = charMap.get(c); if (s !== undefined) c = s; }
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



    /** Candidate units: [{uid, score, spread}]; a multi-word query also matches an entry whose units
     *  together hold every word (spread: shown with its best unit). */
    function candidates(terms, filters) {
      var facetKeys = [];
      FACETS.forEach(function (f) { if (filters[f]) facetKeys.push("@" + f + ":" + filters[f]); });
      var termKeys = terms.map(function (t) { return L.requiredKeys(t, m); });
      var all = facetKeys.slice();
      termKeys.forEach(function (ks) { ks.forEach(function (k) { if (all.indexOf(k) < 0) all.push(k); }); });
      if (!all.length) return Promise.resolve([]);
      return Promise.all(all.map(record)).then(function (recs) {
        var lists = {};
        all.forEach(function (k, i) { lists[k] = decode(recs[i], m.units); });
        var facetLists = facetKeys.map(function (k) { return { ids: lists[k].ids, w: null, scored: false }; });
        if (!terms.length) {
          var f = andLists(facetLists);
          return Array.prototype.map.call(f.ids, function (uid) { return { uid: uid, score: 0 }; });
        }
        var per = termKeys.map(function (ks) {
          return andLists(ks.map(function (k) { var l = lists[k]; return { ids: l.ids, w: l.w, scored: true }; }).concat(facetLists));
        });
        var out = [];
        var both = per[0];
        for (var t = 1; t < per.length; t++) both = intersect(both, { ids: per[t].ids, w: Float64Array.from(per[t].score), scored: true });
        var whole = new Set();
        for (var i = 0; i < both.ids.length; i++) { out.push({ uid: both.ids[i], score: both.score[i] }); whole.add(m.unitEntry[both.ids[i]]); }
        if (per.length > 1) {
          var best = per.map(function (l) {
            var byEntry = new Map();
            for (var i = 0; i < l.ids.length; i++) {
              var e = m.unitEntry[l.ids[i]], cur = byEntry.get(e);
              if (!cur || l.score[i] > cur.score) byEntry.set(e, { uid: l.ids[i], score: l.score[i] });
            }
            return byEntry;
          });
          best[0].forEach(function (first, e) {
            if (whole.has(e) || !best.every(function (b) { return b.has(e); })) return;
            var rep = first, score = 0;
            best.forEach(function (b) { var c = b.get(e); score += c.score; if (c.score > rep.score) rep = c; });
            out.push({ uid: rep.uid, score: score / 2, spread: true });
          });
        }
        out.sort(function (x, y) { return y.score - x.score || x.uid - y.uid; });
        return out;
      });
    }

    var PART = 4;  // units per part of a split display file (kb.site.search.build.PART_UNITS)

    /** The display file of entry n with all its units. */
    function entryDoc(n) {
      if (!m.split[n]) return fetchOnce("d/" + n + ".json", "json");
      var parts = [];
      for (var p = 0; p * PART < m.unitFirst[n + 1] - m.unitFirst[n]; p++) parts.push(fetchOnce("d/" + n + "-" + p + ".json", "json"));
      return Promise.all(parts).then(function (ps) {
        return Object.assign({}, ps[0], { units: [].concat.apply([], ps.map(function (x) { return x.units; })) });
      });
    }

    /** {doc, unit} of unit uid, fetching only the part that holds it. */
    function unitDoc(uid) {
      var n = m.unitEntry[uid], k = uid - m.unitFirst[n];
      if (!m.split[n]) return entryDoc(n).then(function (doc) { return { doc: doc, unit: doc.units[k] }; });
      return fetchOnce("d/" + n + "-" + Math.floor(k / PART) + ".json", "json").then(function (doc) {
        return { doc: doc, unit: doc.units[k % PART] };
      });
    }

    function unitHay(doc, unit) {
      return normalizeWith(unit.title, unit.sTitle) + "\n" + (unit.anchor ? "" : normalizeWith(doc.meta, doc.sMeta) + "\n") +
        normalizeWith(unit.text, unit.sText);
    }

    /** Load unit texts for a batch of candidates and check phrases. */
    function verify(batch, terms) {
      return Promise.all(batch.map(function (c) {
        var n = m.unitEntry[c.uid];
        return (c.spread ? entryDoc(n).then(function (doc) { return { doc: doc, unit: doc.units[c.uid - m.unitFirst[n]] }; })
          : unitDoc(c.uid)).then(function (du) {
          var doc = du.doc, unit = du.unit;
          var hays = (c.spread ? doc.units : [unit]).map(function (u) { return unitHay(doc, u).replace(/\s+/g, ""); });
          var exact = 0, missing = false;
          terms.forEach(function (t) {
            if (hays.some(function (h) { return h.indexOf(t.phrase) >= 0; })) exact++;
            else if (t.quoted) missing = true;
          });
          var titleHit = terms.length && terms.every(function (t) { return normalizeWith(unit.title, unit.sTitle).replace(/\s+/g, "").indexOf(t.phrase) >= 0; });
          return { uid: c.uid, score: c.score, doc: doc, unit: unit, exact: exact === terms.length, keep: !missing,
                   why: titleHit ? "标题" : exact === terms.length ? "正文" : "相关", spread: !!c.spread };
        });
      }));
    }

    // -- known items -------------------------------------------------------------

    function knownLookup(key) {
      var part = fnv1a(key) % m.known;
      return fetchOnce("k/" + part + ".json", "json").then(function (t) { return t[key] || null; });
    }

    /** Titles, aliases, 文号, their versions (a year) and articles named by the query. */
    function resolveKnown(query, filters) {
      if (!m.known) return Promise.resolve([]);
      var key = (normalizeWith(query.replace(/[《》〈〉"“”「」]/g, "")).match(TOKEN_RE) || []).join("");
      if (key.length < 2) return Promise.resolve([]);
      var tries = L.knownTries(key);
      return Promise.all(tries.map(function (t) { return knownLookup(t.key); })).then(function (found) {
        var i = found.findIndex(function (rows) { return rows && rows.length; });
        if (i < 0) return [];
        var t = tries[i], rows = found[i];
        if (t.year) {
          var same = rows.filter(function (r) { return r[2] === t.year; });
          if (same.length) rows = same;
        }
        return Promise.all(rows.map(function (r) {
          var load = t.article ? entryDoc(r[0]) : unitDoc(m.unitFirst[r[0]]).then(function (du) { return du.doc; });
          return load.then(function (doc) {
            var k = t.article ? doc.units.findIndex(function (u) { return u.anchor === t.article; }) : 0;
            if (k < 0 || !matchesFilters(doc, doc.units[k], filters)) return null;
            return { uid: m.unitFirst[r[0]] + k, score: Infinity, doc: doc, unit: doc.units[k], exact: true, keep: true,
                     why: r[1], known: true };
          });
        })).then(function (rs) { return rs.filter(Boolean); });
      });
    }

    // -- results -------------------------------------------------------------------



    function toResult(r, needles) { return L.toResult(r, needles, ROOT, normalizeWith); }

    function filterKey(filters) { return FACETS.map(function (f) { return filters[f] || ""; }).join("|"); }

    /** The state of one query (kept for paging): known items, candidates, verified results. */
    function jobFor(query, filters, sort) {
      var key = JSON.stringify([query, filterKey(filters), sort]);
      if (jobs.has(key)) return jobs.get(key);
      var job = manifest().then(function () { return prepare(query); }).then(function () {
        var terms = parseQuery(query);
        var hasFilter = FACETS.some(function (f) { return filters[f]; });
        var st = { terms: terms, sort: sort, cands: [], next: 0, out: [], exactQ: [], looseQ: [], seen: new Set(),
                   dropped: 0, quoted: terms.some(function (t) { return t.quoted; }) };
        if (!terms.length && !hasFilter) return st;
        return Promise.all([resolveKnown(query, filters), candidates(terms, filters)]).then(function (res) {
          var known = res[0], knownUids = new Set(known.map(function (k) { return k.uid; }));
          st.cands = res[1].filter(function (c) { return !knownUids.has(c.uid); });
          if (sort !== "relevance") {
            known.forEach(function (k) { st.cands.push({ uid: k.uid, score: 0, known: k }); });
            var sign = sort === "oldest" ? -1 : 1;
            st.cands.sort(function (x, y) { return sign * (m.unitEntry[x.uid] - m.unitEntry[y.uid]) || x.uid - y.uid; });
          } else {
            st.out = known;
            knownUids.forEach(function (u) { st.seen.add(u); });
          }
          return st;
        });
      });
      jobs.set(key, job);
      job.catch(function () { jobs.delete(key); });
      if (jobs.size > 30) jobs.delete(jobs.keys().next().value);
      return job;
    }

    /** Verify candidates until `want` results are ready: exact matches first (relevance), bounded work. */
    function fill(st, want) {
      var cap = want * 4 + 40;
      function take(q) {
        while (q.length && st.out.length < want) { var r = q.shift(); if (!st.seen.has(r.uid)) { st.seen.add(r.uid); st.out.push(r); } }
      }
      function step() {
        take(st.exactQ);
        if (st.out.length >= want) return Promise.resolve();
        var more = st.next < st.cands.length;
        if (more && (st.sort !== "relevance" || st.next < cap)) {
          var batch = st.cands.slice(st.next, st.next + Math.max(10, Math.min(40, want - st.out.length)));
          st.next += batch.length;
          return verify(batch.filter(function (c) { return !c.known; }), st.terms).then(function (rs) {
            var byUid = new Map(rs.map(function (r) { return [r.uid, r]; }));
            batch.forEach(function (c) {
              var r = c.known || byUid.get(c.uid);
              if (!r.keep) { st.dropped++; return; }
              (st.sort !== "relevance" || r.exact ? st.exactQ : st.looseQ).push(r);
            });
            return step();
          });
        }
        take(st.looseQ);
        return Promise.resolve();
      }
      return step();
    }

    function totals(st) {
      var done = st.next >= st.cands.length;
      var list = done ? st.out.concat(st.exactQ, st.looseQ) : st.out.concat(st.exactQ, st.looseQ, st.cands.slice(st.next));
      var entries = new Set(), sections = 0, exact = 0;
      list.forEach(function (c) {
        var n = m.unitEntry[c.uid];
        entries.add(n);
        if (c.uid !== m.unitFirst[n]) sections++;
        if (c.exact || (c.known && c.known.exact)) exact++;
      });
      return { results: list.length, entries: entries.size, sections: sections, exact: done ? exact : null,
               estimate: !done && st.quoted, list: list };
    }

    // -- facet counts ------------------------------------------------------------------

    function facetTable() {
      if (!facetPromise) {
        facetPromise = fetchOnce("facets.bin").then(function (buf) {
          return L.parseFacetTable(buf, m);
        });
        facetPromise.catch(function () { facetPromise = null; });
      }
      return facetPromise;
    }

    /** Counts per facet value for the query; a facet with a filter set is counted without its own filter. */
    function facetCounts(query, filters, sort, st) {
      return facetTable().then(function (table) {
        var counts = L.countFacets(table, totals(st).list, m);
        var set = FACETS.filter(function (f) { return filters[f]; });
        return Promise.all(set.map(function (f) {
          var other = {};
          FACETS.forEach(function (g) { if (g !== f && filters[g]) other[g] = filters[g]; });
          return jobFor(query, other, sort).then(function (st2) {
            counts[f] = L.countFacets(table, totals(st2).list, m, [f])[f];
          });
        })).then(function () { return counts; });
      });
    }

    function search(query, opts) {
      opts = opts || {};
      query = String(query || "").trim();
      var filters = opts.filters || {}, sort = opts.sort || "relevance";
      var offset = opts.offset || 0, limit = opts.limit == null ? 10 : opts.limit;
      return jobFor(query, filters, sort).then(function (st) {
        return fill(st, offset + limit).then(function () {
          return opts.facets ? facetCounts(query, filters, sort, st) : null;
        }).then(function (facets) {
          var needles = needlesOf(st.terms), total = totals(st);
          delete total.list;
          return {
            query: query, offset: offset, limit: limit, total: total, facets: facets, needles: needles,
            results: st.out.slice(offset, offset + limit).map(function (r) { return toResult(r, needles); }),
          };
        });
      });
    }

    /** Entry numbers (index order, newest first) of every result; for benchmarks and tests. */
    function allEntries(query, opts) {
      opts = opts || {};
      query = String(query || "").trim();
      return jobFor(query, opts.filters || {}, "relevance").then(function (st) {
        return (st.quoted ? fill(st, Infinity) : Promise.resolve()).then(function () {
          var seen = new Set();
          totals(st).list.forEach(function (c) { seen.add(m.unitEntry[c.uid]); });
          return Array.from(seen).sort(function (a, b) { return a - b; });
        });
      });
    }

    return {
      base: ROOT.href,
      index: IDX.href,
      allEntries: allEntries,
      ready: function () {
        return manifest().then(function (mf) { return { entries: mf.entries, units: mf.units, facets: mf.facets }; });
      },
      search: search,
      normalize: function (text) { return manifest().then(function () { return prepare(text); }).then(function () { return normalizeWith(text); }); },
      label: function (facet, value) { return (m && m.labels[facet] && m.labels[facet][value]) || value; },
    };
  }

  var defaultEngine = null;
  /** An element with a class and text (for the search interfaces). */
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /** Append text to node with the given [start, end) ranges marked. */
  function marked(node, text, marks) {
    var pos = 0;
    (marks || []).forEach(function (h) {
      if (h[0] < pos) return;
      if (h[0] > pos) node.appendChild(document.createTextNode(text.slice(pos, h[0])));
      node.appendChild(el("mark", null, text.slice(h[0], h[1])));
      pos = h[1];
    });
    if (pos < text.length) node.appendChild(document.createTextNode(text.slice(pos)));
  }

  window.KBSearch = {
    create: create,
    el: el,
    marked: marked,
    siteRoot: SITE_ROOT.href,
    searchPage: new URL(FILE ? "search/index.html" : "search/", SITE_ROOT).href,
    facets: FACETS.slice(),
    /** The engine of this site (created on first use). */
    get default() { return defaultEngine || (defaultEngine = create({ base: SITE_ROOT.href })); },
  };
})();
