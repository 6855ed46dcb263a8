/* 页眉即时搜索：在页眉搜索框输入时，下拉列表显示前几条结果，不离开当前页面。
 * 检索由 kb-search-core.js（window.KBSearch）完成；页眉搜索框由 kb-search.js 放置。
 *
 * 键盘：“/” 聚焦搜索框；↑/↓ 选择结果；Enter 打开所选结果，未选择时打开完整的结果页；Esc 关闭列表。
 * 在 search/ 结果页上不显示下拉列表（那里的结果随输入更新）。离线版（file://）和子路径部署同样可用。
 */
(function () {
  "use strict";

  var LIMIT = 8;

  // DOM helpers shared by the search interfaces (kb-search-core.js).
  var el = (window.KBSearch || {}).el, marked = (window.KBSearch || {}).marked;

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function resultsPage(q) {
    var url = new URL(window.KBSearch.searchPage);
    if (q) url.searchParams.set("q", q);
    return url.href;
  }

  function init(form) {
    var input = form.querySelector("input[name=q]");
    if (!input || form.querySelector(".kb-instant")) return;
    var engine = window.KBSearch.default;
    var list = el("div", "kb-instant");
    list.id = "kb-instant";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "搜索结果");
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    var token = 0, active = -1, items = [];

    function open(show) {
      list.hidden = !show;
      input.setAttribute("aria-expanded", show ? "true" : "false");
      if (!show) highlight(-1);
    }

    function highlight(i) {
      if (active >= 0 && items[active]) items[active].classList.remove("kb-instant__item--active");
      active = i;
      if (i >= 0 && items[i]) {
        items[i].classList.add("kb-instant__item--active");
        items[i].scrollIntoView({ block: "nearest" });
        input.setAttribute("aria-activedescendant", items[i].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function item(r, i) {
      var a = el("a", "kb-instant__item");
      a.id = "kb-instant-" + i;
      a.href = r.url;
      a.setAttribute("role", "option");
      a.dataset.entry = r.entry;
      if (r.anchor) a.dataset.anchor = r.anchor;
      marked(a.appendChild(el("span", "kb-instant__title")), r.title, r.titleMarks);
      var meta = el("span", "kb-instant__meta");
      meta.appendChild(el("span", "kb-chip", r.typeLabel));
      if (r.anchor) meta.appendChild(document.createTextNode("出自《" + r.entryTitle + "》 "));
      if (r.year) meta.appendChild(document.createTextNode(r.year + " 年"));
      a.appendChild(meta);
      if (r.snippet) marked(a.appendChild(el("span", "kb-instant__snippet")), r.snippet, r.marks);
      return a;
    }

    function show(res, q) {
      list.textContent = "";
      items = res.results.map(item);
      items.forEach(function (a) { list.appendChild(a); });
      var total = res.total.results;
      var foot = el("a", "kb-instant__all");
      foot.href = resultsPage(q);
      foot.textContent = total ? (res.total.estimate ? "约 " : "共 ") + total + " 条结果，查看全部 →" :
        "没有找到匹配的结果，到搜索页调整条件 →";
      list.appendChild(foot);
      list.dataset.query = q;
      list.dataset.count = String(items.length);
      active = -1;
      input.removeAttribute("aria-activedescendant");
      open(true);
    }

    function run() {
      var q = input.value.trim(), mine = ++token;
      if (!q) { list.textContent = ""; list.dataset.query = ""; open(false); return; }
      list.dataset.state = "loading";
      engine.search(q, { limit: LIMIT }).then(function (res) {
        if (mine !== token) return;
        show(res, q);
        list.dataset.state = "done";
      }).catch(function (err) {
        if (mine !== token) return;
        list.textContent = "";
        items = [];
        list.appendChild(el("div", "kb-instant__error", "搜索索引加载失败：" + err.message));
        list.dataset.state = "error";
        open(true);
      });
    }

    // While an input method is composing (pinyin letters), wait for the characters it produces.
    input.addEventListener("input", function (ev) { if (!ev.isComposing) run(); });
    input.addEventListener("compositionend", run);
    input.addEventListener("focus", function () { if (input.value.trim() && list.dataset.query) open(true); });
    input.addEventListener("keydown", function (ev) {
      if (ev.isComposing) return; // an IME is choosing characters: its Enter and arrows are not ours
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (list.hidden) { if (input.value.trim()) { open(true); if (!items.length) run(); } return; }
        ev.preventDefault();
        var n = items.length;
        if (!n) return;
        highlight(ev.key === "ArrowDown" ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1));
      } else if (ev.key === "Enter") {
        ev.preventDefault();
        var target = !list.hidden && active >= 0 && items[active] ? items[active].href : resultsPage(input.value.trim());
        open(false);
        location.href = target;
      } else if (ev.key === "Escape") {
        if (!list.hidden) { ev.preventDefault(); open(false); } else input.blur();
      }
    });
    // A click on a result follows its link; keep the list open while the pointer is pressed on it.
    list.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
    input.addEventListener("blur", function () { open(false); });
  }

  /** "/" focuses the search box: the header box, or the results page's own box. */
  function focusKey(input) {
    document.addEventListener("keydown", function (ev) {
      if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey || isTyping(ev.target)) return;
      ev.preventDefault();
      input.focus();
      input.select();
    });
  }

  function start() {
    if (!window.KBSearch) return;
    var page = document.getElementById("kb-search-q");
    if (page) { focusKey(page); return; } // the results page updates its own list as one types
    var form = document.querySelector(".md-header .kb-header-search");
    if (!form) return;
    init(form);
    focusKey(form.querySelector("input[name=q]"));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
