// Progressive enhancement only: every page works without this file.
// The staff menu is a <details> element, collapsed on a phone. Browsers that cannot style
// ::details-content would keep it closed on a wide screen too, so open it there.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 60em)");
  function sync() {
    document.querySelectorAll("details[data-menu]").forEach(function (menu) {
      menu.open = wide.matches;
    });
  }
  document.addEventListener("DOMContentLoaded", sync);
  wide.addEventListener("change", sync);
})();
