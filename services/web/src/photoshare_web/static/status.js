// Live job status: poll the API for photos still QUEUED or PROCESSING and update in place.
(function () {
  "use strict";
  var PENDING = { QUEUED: true, PROCESSING: true };
  var INTERVAL_MS = 1500;

  function refresh(el) {
    fetch("/api/photos/" + encodeURIComponent(el.dataset.photoId), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (photo) {
        if (!photo) { return; }
        if (photo.status !== el.dataset.status) { show(el, photo); }
        if (PENDING[photo.status]) { setTimeout(function () { refresh(el); }, INTERVAL_MS); }
      })
      .catch(function () { setTimeout(function () { refresh(el); }, INTERVAL_MS * 4); });
  }

  function show(el, photo) {
    el.dataset.status = photo.status;
    if (el.tagName === "ARTICLE" && !PENDING[photo.status]) { window.location.reload(); return; }
    var badge = el.querySelector(".badge");
    badge.textContent = photo.status;
    badge.className = "badge status-" + photo.status.toLowerCase();
    badge.title = photo.error || "";
    var placeholder = el.querySelector(".placeholder");
    if (photo.thumbnails && placeholder) {
      var img = document.createElement("img");
      img.src = photo.thumbnails.small.url;
      img.alt = photo.filename;
      img.width = photo.thumbnails.small.width;
      img.height = photo.thumbnails.small.height;
      placeholder.replaceWith(img);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-photo-id]").forEach(function (el) {
      if (PENDING[el.dataset.status]) { setTimeout(function () { refresh(el); }, INTERVAL_MS); }
    });
  });
})();
