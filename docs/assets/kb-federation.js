/* 联合搜索：在 search/ 结果页上，同时检索 mkdocs.yml 中 extra.kb.federation 列出的其他知识库。
 *
 * 站点列表由构建写入结果页（#kb-federation 的 data-sites）。本站结果显示完成后，才按需加载各站点的
 * 索引（每个站点一个 KBSearch 引擎，见 kb-search-core.js），各站点互不等待；结果按各站的排名轮流
 * 合并，每条注明来源站点。某个站点无法访问时给出说明，其余结果照常显示。
 * 对方站点须允许跨域读取其 search/idx/（deploy/nginx.conf 中的 CORS 设置）。
 */
(function () {
  "use strict";

  var FACETS = ["type", "area", "status", "year", "level", "kind"];
  var SHOWN = 10;
  var TIMEOUT_MS = 8000;

  // DOM helpers shared by the search interfaces (kb-search-core.js).
  var el = (window.KBSearch || {}).el, marked = (window.KBSearch || {}).marked;

  function withTimeout(promise) {
    return Promise.race([promise, new Promise(function (_, reject) {
      setTimeout(function () { reject(new Error("响应超时")); }, TIMEOUT_MS);
    })]);
  }

  function state() {
    var params = new URLSearchParams(location.search), filters = {};
    FACETS.forEach(function (f) { if (params.get(f)) filters[f] = params.get(f); });
    return { q: (params.get("q") || "").trim(), filters: filters };
  }

  function render(r, site) {
    var li = el("li", "kb-result kb-result--federated");
    li.dataset.site = site.url;
    li.dataset.entry = r.entry;
    if (r.anchor) li.dataset.anchor = r.anchor;
    var a = el("a", "kb-result__title");
    a.href = r.url;
    marked(a, r.title, r.titleMarks);
    li.appendChild(el("div", "kb-result__head")).appendChild(a);
    var meta = el("div", "kb-result__meta");
    meta.appendChild(el("span", "kb-result__site kb-chip", site.name));
    meta.appendChild(el("span", "kb-result__type kb-chip", r.typeLabel));
    if (r.anchor) meta.appendChild(el("span", "kb-result__from", "出自《" + r.entryTitle + "》"));
    if (r.year) meta.appendChild(el("span", "kb-result__year", r.year + " 年"));
    li.appendChild(meta);
    var p = el("p", "kb-result__snippet");
    marked(p, r.snippet || "", r.marks);
    li.appendChild(p);
    return li;
  }

  function init(holder, sites) {
    var results = document.getElementById("kb-search-results");
    var section = el("section", "kb-federated");
    section.id = "kb-federated";
    section.hidden = true;
    section.appendChild(el("h2", null, "其他知识库的结果"));
    var statusList = section.appendChild(el("ul", "kb-federated__sites"));
    var list = section.appendChild(el("ol", "kb-result-list"));
    holder.parentNode.insertBefore(section, holder.nextSibling);
    var engines = {}, last = null, run = 0;

    function engine(site) {
      return engines[site.url] || (engines[site.url] = window.KBSearch.create({ base: site.url }));
    }

    function search() {
      var st = state(), key = JSON.stringify(st);
      if (key === last) return;
      last = key;
      var mine = ++run;
      statusList.textContent = "";
      list.textContent = "";
      if (!st.q && !Object.keys(st.filters).length) { section.hidden = true; return; }
      section.hidden = false;
      section.dataset.state = "loading";
      var done = sites.map(function () { return null; });
      var pending = sites.length;
      sites.forEach(function (site, i) {
        var li = statusList.appendChild(el("li", "kb-federated__site"));
        li.dataset.site = site.url;
        li.dataset.state = "loading";
        li.textContent = site.name + "：正在搜索…";
        withTimeout(engine(site).search(st.q, { filters: st.filters, limit: SHOWN })).then(function (res) {
          if (mine !== run) return;
          done[i] = res.results;
          li.textContent = site.name + "：" + (res.total.results ? (res.total.estimate ? "约 " : "共 ") +
            res.total.results + " 条结果" : "没有匹配的结果");
          if (res.total.results) {
            var more = el("a", null, "在该站查看全部");
            var url = new URL("search/", site.url);
            url.search = new URLSearchParams(Object.assign({ q: st.q }, st.filters)).toString();
            more.href = url.href;
            li.appendChild(document.createTextNode("（"));
            li.appendChild(more);
            li.appendChild(document.createTextNode("）"));
          }
          li.dataset.state = "done";
          li.dataset.count = String(res.total.results);
        }, function (err) {
          if (mine !== run) return;
          done[i] = [];
          li.classList.add("kb-federated__site--down");
          li.textContent = site.name + "暂时无法访问（" + site.url + "，" + (err && err.message || err) +
            "），本次结果不含该站。";
          li.dataset.state = "down";
        }).then(function () {
          if (mine !== run) return;
          merge(done);
          if (--pending === 0) section.dataset.state = "done";
        });
      });
    }

    /** Round robin over the sites in the configured order: scores of different indexes do not compare. */
    function merge(done) {
      list.textContent = "";
      var shown = 0;
      for (var rank = 0; shown < SHOWN; rank++) {
        var any = false;
        for (var i = 0; i < sites.length && shown < SHOWN; i++) {
          var rs = done[i];
          if (!rs || rank >= rs.length) continue;
          any = true;
          list.appendChild(render(rs[rank], sites[i]));
          shown++;
        }
        if (!any) break;
      }
      section.dataset.count = String(shown);
    }

    function check() { if (results.dataset.state === "done" || results.dataset.state === "error") search(); }
    new MutationObserver(check).observe(results, { attributes: true, attributeFilter: ["data-state"] });
    check();
  }

  function start() {
    var holder = document.getElementById("kb-federation");
    if (!holder || !window.KBSearch || !document.getElementById("kb-search-results")) return;
    var sites = [];
    try { sites = JSON.parse(holder.dataset.sites || "[]"); } catch (e) { sites = []; }
    if (sites.length) init(holder, sites);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
