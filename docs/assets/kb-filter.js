/* In-page filtering of the regulation and policy listings.
 *
 * The page (hooks/kb/site/templates/filter.html.j2) ships a hidden form with one
 * <select> per facet (status, level, issuer, year) and table rows carrying
 * matching data-* attributes (hooks/kb/site/filters.py). This script shows the
 * form, hides the rows that do not match, updates the count and keeps the
 * choice in the URL (?status=in-force&year=2017) so a filtered list can be
 * shared. Plain JavaScript, no dependencies, no network access outside the site.
 *
 * A listing split over pages (…/page/2/) names the script holding all its rows
 * (data-kb-rows, written once per listing by kb.site.filters.rows_script). When
 * a filter is chosen, the rows of every page that match are shown here, built
 * from that script, and the pager is hidden; clearing the filter brings back
 * this page's own rows and the pager. The rows script is loaded with a
 * <script> tag, so this also works opened from the file system.
 */
(function () {
  "use strict";

  var MULTI = { issuer: "|" }; // facets whose row value lists several items
  var FIELDS = ["status", "level", "issuer", "year"]; // data-* values, after the cells, in a rows script row
  var loads = {}; // rows script URL -> Promise of its data (null when it cannot be loaded)

  function rowMatches(row, criteria) {
    for (var i = 0; i < criteria.length; i++) {
      var c = criteria[i];
      var value = row.getAttribute("data-" + c.name) || "";
      var values = MULTI[c.name] ? value.split(MULTI[c.name]) : [value];
      if (values.indexOf(c.value) < 0) return false;
    }
    return true;
  }

  function hasOption(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) return true;
    }
    return false;
  }

  function loadRows(src, key) {
    var url = new URL(src, window.location.href).href;
    if (!loads[url]) {
      loads[url] = new Promise(function (resolve) {
        var s = document.createElement("script");
        s.src = url;
        s.onload = function () { resolve((window.__kbRows || {})[key] || null); };
        s.onerror = function () { resolve(null); };
        document.head.appendChild(s);
      });
    }
    return loads[url];
  }

  // One listing row as the page itself renders it (macros.html.j2, entry_table).
  function buildRow(r, data, root, cellLabels) {
    var tr = document.createElement("tr");
    var n = 5; // cells: title, issuer, doc number, date, status
    FIELDS.forEach(function (name, i) { tr.setAttribute("data-" + name, r[n + i]); });
    function cell(cls, label) {
      var td = document.createElement("td");
      td.className = cls;
      if (label) td.setAttribute("data-label", label);
      tr.appendChild(td);
      return td;
    }
    var a = document.createElement("a");
    a.href = root + r[0];
    a.textContent = r[1];
    cell("kb-col-title").appendChild(a);
    cell("kb-col-text", cellLabels[1]).textContent = r[2];
    cell("kb-nowrap", cellLabels[2]).textContent = r[3];
    cell("kb-nowrap", cellLabels[3]).textContent = r[4];
    var badge = document.createElement("span");
    badge.className = "kb-status kb-status--" + r[5];
    badge.textContent = data.status[r[5]] || r[5];
    cell("kb-nowrap", cellLabels[4]).appendChild(badge);
    return tr;
  }

  function setup(block) {
    if (block.getAttribute("data-kb-filter-ready")) return;
    var form = block.querySelector("form.kb-filter");
    if (!form) return;
    block.setAttribute("data-kb-filter-ready", "1");
    var tbody = block.querySelector("table tbody");
    var ownRows = Array.prototype.slice.call(tbody.querySelectorAll("tr"));
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    var shown = form.querySelector("[data-kb-shown]");
    var empty = block.querySelector(".kb-filter-empty");
    var paging = Array.prototype.slice.call(block.querySelectorAll(".kb-pager, .kb-page-status"));
    var rowsSrc = block.getAttribute("data-kb-rows");
    var root = block.getAttribute("data-kb-root") || "";
    var cellLabels = Array.prototype.map.call(block.querySelectorAll("table thead th"), function (th) {
      return th.textContent;
    });
    var allRows = null; // every row of the listing, built once from the rows script
    var pending = 0; // only the latest choice is shown when loads overlap

    function show(rows, criteria, whole) {
      var count = 0;
      if (whole) {
        while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
      }
      rows.forEach(function (row) {
        var ok = rowMatches(row, criteria);
        row.hidden = !ok;
        if (whole && ok) tbody.appendChild(row);
        if (ok) count++;
      });
      paging.forEach(function (el) { el.hidden = whole; });
      if (shown) shown.textContent = String(count);
      if (empty) empty.hidden = count !== 0;
    }

    function restoreOwn() {
      if (ownRows.length && ownRows[0].parentNode === tbody && tbody.children.length === ownRows.length) return;
      while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
      ownRows.forEach(function (row) { tbody.appendChild(row); });
    }

    function apply(updateUrl) {
      var criteria = [];
      selects.forEach(function (s) {
        if (s.value) criteria.push({ name: s.name, value: s.value });
      });
      var ticket = ++pending;
      if (!criteria.length || !rowsSrc) {
        restoreOwn();
        show(ownRows, criteria, false);
      } else {
        block.setAttribute("aria-busy", "true");
        loadRows(rowsSrc, block.getAttribute("data-kb-filter")).then(function (data) {
          if (ticket !== pending) return;
          block.removeAttribute("aria-busy");
          if (data && !allRows) {
            allRows = data.rows.map(function (r) { return buildRow(r, data, root, cellLabels); });
          }
          if (allRows) {
            show(allRows, criteria, true);
          } else { // the rows script is missing: filter this page's rows only
            restoreOwn();
            show(ownRows, criteria, false);
          }
        });
      }
      if (updateUrl && window.history && window.URLSearchParams) {
        var params = new URLSearchParams(window.location.search);
        selects.forEach(function (s) {
          if (s.value) params.set(s.name, s.value);
          else params.delete(s.name);
        });
        var query = params.toString();
        window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
      }
    }

    if (window.URLSearchParams) {
      var initial = new URLSearchParams(window.location.search);
      selects.forEach(function (s) {
        var v = initial.get(s.name);
        if (v !== null && hasOption(s, v)) s.value = v;
      });
    }
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("reset", function () {
      window.setTimeout(function () { apply(true); }, 0); // after the browser has reset the selects
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply(false);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-kb-filter]"), setup);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material: also after instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
