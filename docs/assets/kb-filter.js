/* In-page filtering of the regulation and policy listings.
 *
 * The page (hooks/kb/site/templates/filter.html.j2) ships a hidden form with one
 * <select> per facet (status, level, issuer, year) and table rows carrying
 * matching data-* attributes (hooks/kb/site/filters.py). This script shows the
 * form, hides the rows that do not match, updates the count and keeps the
 * choice in the URL (?status=in-force&year=2017) so a filtered list can be
 * shared. Plain JavaScript, no dependencies, no network access.
 */
(function () {
  "use strict";

  var MULTI = { issuer: "|" }; // facets whose row value lists several items

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

  function setup(block) {
    if (block.getAttribute("data-kb-filter-ready")) return;
    var form = block.querySelector("form.kb-filter");
    if (!form) return;
    block.setAttribute("data-kb-filter-ready", "1");
    var rows = Array.prototype.slice.call(block.querySelectorAll("table tbody tr"));
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    var shown = form.querySelector("[data-kb-shown]");
    var empty = block.querySelector(".kb-filter-empty");

    function apply(updateUrl) {
      var criteria = [];
      selects.forEach(function (s) {
        if (s.value) criteria.push({ name: s.name, value: s.value });
      });
      var count = 0;
      rows.forEach(function (row) {
        var ok = rowMatches(row, criteria);
        row.hidden = !ok;
        if (ok) count++;
      });
      if (shown) shown.textContent = String(count);
      if (empty) empty.hidden = count !== 0;
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
