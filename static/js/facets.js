/* The search page's 筛选 panel (templates/search/search.html) is a <details>, closed so that a
   phone shows the results first. Wide screens show it open through CSS (::details-content); a
   browser without that selector gets it opened here, so the facets stay in view beside the results. */
(function () {
  "use strict";
  if (window.CSS && CSS.supports && CSS.supports("selector(::details-content)")) return;
  var wide = window.matchMedia("(min-width: 801px)");
  function follow() {
    document.querySelectorAll("details.facet-panel").forEach(function (panel) {
      if (wide.matches) panel.open = true;
    });
  }
  document.addEventListener("DOMContentLoaded", follow);
  if (wide.addEventListener) wide.addEventListener("change", follow);
})();
