/* 知识库站内搜索（界面）：页眉搜索框和 search/ 结果页。检索由 kb-search-core.js（window.KBSearch，依赖 kb-search-lib.js）完成。
 *
 * - 每个页面：在页眉放一个搜索框，提交到 search/?q=…（相对站点根目录，支持子路径部署）。
 * - search/ 页面：从网址读取查询、筛选条件和排序（q, type, area, status, year, level, kind, sort），
 *   显示结果；修改条件时同步更新网址，便于收藏和转发。
 * 不访问站外任何资源。
 */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var FACETS = ["type", "area", "status", "year", "level", "kind"];

  // DOM helpers shared by the search interfaces (kb-search-core.js).
  var el = (window.KBSearch || {}).el, marked = (window.KBSearch || {}).marked;

  function renderResult(r, engine) {
    var li = el("li", "kb-result");
    li.dataset.entry = r.entry;
    li.dataset.type = r.type;
    li.dataset.areas = r.areas.join(" ");
    li.dataset.year = String(r.year);
    li.dataset.status = r.status;
    li.dataset.level = r.level;
    li.dataset.why = r.why;
    if (r.date) li.dataset.date = r.date;
    if (r.anchor) li.dataset.anchor = r.anchor;
    var a = el("a", "kb-result__title");
    a.href = r.url;
    marked(a, r.title, r.titleMarks);
    var head = li.appendChild(el("div", "kb-result__head"));
    head.appendChild(a);
    if (r.why && r.why !== "正文" && r.why !== "相关") head.appendChild(el("span", "kb-result__why kb-chip", "匹配" + r.why));
    var meta = el("div", "kb-result__meta");
    meta.appendChild(el("span", "kb-result__type kb-chip", r.typeLabel));
    if (r.anchor) {
      if (r.kind) meta.appendChild(el("span", "kb-kind kb-kind--" + r.kind, engine.label("kind", r.kind)));
      meta.appendChild(el("span", "kb-result__from", "出自《" + r.entryTitle + "》"));
    }
    meta.appendChild(el("span", "kb-result__areas", r.areas.map(function (s) { return engine.label("area", s); }).join("、")));
    meta.appendChild(el("span", "kb-result__year", r.year + " 年"));
    li.appendChild(meta);
    var p = el("p", "kb-result__snippet");
    marked(p, r.snippet, r.marks);
    li.appendChild(p);
    return li;
  }

  // -- the results page --------------------------------------------------------

  function readState() {
    var params = new URLSearchParams(location.search), st = { q: params.get("q") || "", sort: params.get("sort") || "" };
    FACETS.forEach(function (f) { st[f] = params.get(f) || ""; });
    return st;
  }

  function stateUrl(st) {
    var params = new URLSearchParams();
    if (st.q) params.set("q", st.q);
    FACETS.forEach(function (f) { if (st[f]) params.set(f, st[f]); });
    if (st.sort && st.sort !== "relevance") params.set("sort", st.sort);
    var s = params.toString();
    return location.pathname + (s ? "?" + s : "");
  }

  function countText(total, shown) {
    var about = total.estimate ? "约 " : "共 ";
    var parts = about + total.results + " 条结果（" + total.entries + " 个条目";
    if (total.sections) parts += "，其中段落和条文 " + total.sections + " 处";
    parts += "）";
    if (total.exact != null && total.exact < total.results) parts += "，含完整词语的 " + total.exact + " 条排在前面";
    if (shown < total.results) parts += "，显示前 " + shown + " 条";
    return parts;
  }

  function initPage(box) {
    var engine = window.KBSearch.default;
    var form = box.querySelector("form");
    var input = form.elements.q;
    var results = document.getElementById("kb-search-results");
    var status = document.getElementById("kb-search-status");
    var more = document.getElementById("kb-search-more");
    var run = 0, current = null;
    // Facet counts need the facet table (about 10 bytes per entry): fetched when the filters are first
    // used, then shown for every query.
    var countsWanted = false;
    var filters = form.querySelector(".kb-search-filters");
    function wantCounts() {
      if (countsWanted) return;
      countsWanted = true;
      if (current && !current.counted && results.dataset.state === "done") {
        current.counted = true;
        showCounts(current, run);
      }
    }
    if (filters) {
      filters.addEventListener("focusin", wantCounts);
      filters.addEventListener("pointerdown", wantCounts);
    }

    function formState() {
      var st = { q: input.value.trim(), sort: form.elements.sort ? form.elements.sort.value : "" };
      FACETS.forEach(function (f) { st[f] = form.elements[f] ? form.elements[f].value : ""; });
      return st;
    }

    function fill(st) {
      input.value = st.q;
      FACETS.concat(["sort"]).forEach(function (f) {
        var sel = form.elements[f];
        if (!sel) return;
        sel.value = st[f];
        if (sel.value !== st[f]) sel.value = sel.options.length ? sel.options[0].value : "";
      });
    }

    function setStatus(text) { status.textContent = text; }

    function options(st, offset) {
      var filters = {};
      FACETS.forEach(function (f) { if (st[f]) filters[f] = st[f]; });
      return { filters: filters, sort: st.sort || "relevance", offset: offset, limit: PAGE_SIZE };
    }

    function showMore() {
      var job = current, token = run;
      if (!job) return Promise.resolve();
      more.hidden = true;
      results.dataset.state = "loading";
      return engine.search(job.st.q, options(job.st, job.shown)).then(function (res) {
        if (token !== run) return;
        var list = results.querySelector("ol") || results.appendChild(el("ol", "kb-result-list"));
        res.results.forEach(function (r) { list.appendChild(renderResult(r, engine)); });
        job.shown += res.results.length;
        if (!job.shown) setStatus("没有找到匹配的结果。可以减少关键词、去掉引号或筛选条件再试。");
        else setStatus(countText(res.total, job.shown));
        more.hidden = !(job.shown < res.total.results && res.results.length);
        results.dataset.count = String(job.shown);
        results.dataset.total = String(res.total.results);
        results.dataset.entries = String(res.total.entries);
        results.dataset.sections = String(res.total.sections);
        results.dataset.state = "done";
        if (countsWanted && !job.counted) {
          job.counted = true;
          showCounts(job, token);
        }
      });
    }

    /** Facet counts for the current query, after the first results are shown. */
    function showCounts(job, token) {
      form.dataset.counts = "loading";
      var opts = options(job.st, 0);
      opts.limit = 0;
      opts.facets = true;
      return engine.search(job.st.q, opts).then(function (res) {
        if (token !== run) return;
        FACETS.forEach(function (f) {
          var sel = form.elements[f];
          if (!sel) return;
          var counts = res.facets[f] || {};
          Array.prototype.forEach.call(sel.options, function (o) {
            if (!o.dataset.label) o.dataset.label = o.textContent;
            if (!o.value) { o.textContent = o.dataset.label; return; }
            var c = counts[o.value] || 0;
            o.dataset.count = String(c);
            o.textContent = o.dataset.label + "（" + c + "）";
          });
        });
        form.dataset.counts = "done";
      }).catch(function () { form.dataset.counts = "error"; });
    }

    function clearCounts() {
      FACETS.forEach(function (f) {
        var sel = form.elements[f];
        if (!sel) return;
        Array.prototype.forEach.call(sel.options, function (o) {
          if (o.dataset.label) o.textContent = o.dataset.label;
          delete o.dataset.count;
        });
      });
      form.dataset.counts = "none";
    }

    function search(st) {
      var token = ++run;
      current = null;
      results.textContent = "";
      more.hidden = true;
      results.dataset.state = "loading";
      results.dataset.query = st.q;
      if (countsWanted) form.dataset.counts = "pending";
      var hasFilter = FACETS.some(function (f) { return st[f]; });
      if (!st.q && !hasFilter) {
        clearCounts();
        setStatus("输入关键词开始搜索，繁体、简体均可；用引号（\"…\" 或 “…”）要求完整短语。");
        results.dataset.count = "0";
        results.dataset.state = "done";
        return Promise.resolve();
      }
      setStatus("正在搜索…");
      current = { st: st, shown: 0 };
      return showMore().catch(function (err) {
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
    engine.ready().catch(function () {});
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
    form.action = window.KBSearch.searchPage;
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
    headerInput.addEventListener("focus", function () { window.KBSearch.default.ready().catch(function () {}); }, { once: true });
  }

  function start() {
    if (!window.KBSearch) return;
    initHeader();
    var box = document.getElementById("kb-search");
    if (box) initPage(box);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
