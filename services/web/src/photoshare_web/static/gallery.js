// "Older photos" loads the next page in place (GET /api/photos?cursor=), keeping the link as fallback.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var more = document.querySelector(".pager a[rel=next][data-cursor]");
    var grid = document.querySelector("[data-grid]");
    if (!more || !grid) { return; }
    more.textContent = "Load more";
    more.addEventListener("click", function (event) {
      event.preventDefault();
      if (more.getAttribute("aria-busy") === "true") { return; }
      more.setAttribute("aria-busy", "true");
      more.textContent = "Loading…";
      var owner = grid.dataset.owner ? "&owner=" + encodeURIComponent(grid.dataset.owner) : "";
      fetch("/api/photos?cursor=" + encodeURIComponent(more.dataset.cursor) + owner, { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (page) {
          var first = null;
          page.items.forEach(function (photo) {
            if (grid.querySelector('[data-photo-id="' + CSS.escape(photo.id) + '"]')) { return; }
            var tile = window.Photoshare.tile(photo);
            grid.appendChild(tile);
            window.Photoshare.watch(tile);
            first = first || tile;
          });
          if (first) { first.querySelector("a").focus({ preventScroll: true }); }
          if (page.next_cursor) {
            more.dataset.cursor = page.next_cursor;
            more.href = window.location.pathname + "?cursor=" + encodeURIComponent(page.next_cursor);
            more.textContent = "Load more";
            more.removeAttribute("aria-busy");
          } else {
            more.remove();
          }
        })
        .catch(function () { window.location.href = more.href; });  // fall back to the plain page
    });
  });
})();
