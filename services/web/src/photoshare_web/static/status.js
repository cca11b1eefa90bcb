// Live job status: poll the API for photos still QUEUED or PROCESSING and update in place.
// Also the small shared helpers of the other scripts (window.Photoshare).
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
        if (PENDING[photo.status] && el.isConnected) { setTimeout(function () { refresh(el); }, INTERVAL_MS); }
      })
      .catch(function () { setTimeout(function () { refresh(el); }, INTERVAL_MS * 4); });
  }

  function show(el, photo) {
    el.dataset.status = photo.status;
    if (el.tagName === "ARTICLE" && !PENDING[photo.status]) { window.location.reload(); return; }
    var badge = el.querySelector(".badge");
    if (badge) {
      badge.textContent = photo.status;
      badge.className = "badge status-" + photo.status.toLowerCase();
      badge.title = photo.error || "";
    }
    var placeholder = el.querySelector(".placeholder");
    if (photo.thumbnails && placeholder) { placeholder.replaceWith(thumbnail(photo)); }
    el.dispatchEvent(new CustomEvent("photoshare:status", { bubbles: true, detail: photo }));
  }

  function watch(el) {
    if (PENDING[el.dataset.status]) { setTimeout(function () { refresh(el); }, INTERVAL_MS); }
  }

  // The worker's average colour of the photo, behind the thumbnail until it has loaded.
  function paint(el, color) {
    if (el && /^#[0-9a-f]{6}$/.test(color || "")) { el.style.backgroundColor = color; }
  }

  function thumbnail(photo) {
    var img = document.createElement("img");
    paint(img, photo.average_color);
    img.src = photo.thumbnails.small.url;
    img.alt = photo.filename;
    img.width = photo.thumbnails.small.width;
    img.height = photo.thumbnails.small.height;
    return img;
  }

  // A gallery tile, built with the DOM (never HTML strings: file names are untrusted text).
  function tile(photo) {
    var li = document.createElement("li");
    li.className = "tile";
    li.dataset.photoId = photo.id;
    li.dataset.status = photo.status;
    var a = document.createElement("a");
    a.href = "/photos/" + encodeURIComponent(photo.id);
    if (photo.thumbnails) {
      var img = thumbnail(photo);
      img.loading = "lazy";
      a.appendChild(img);
    } else {
      var ph = document.createElement("span");
      ph.className = "placeholder";
      ph.setAttribute("aria-hidden", "true");
      a.appendChild(ph);
    }
    var caption = document.createElement("span");
    caption.className = "caption";
    caption.textContent = photo.filename;
    a.appendChild(caption);
    li.appendChild(a);
    var badge = document.createElement("span");
    badge.className = "badge status-" + photo.status.toLowerCase();
    badge.title = photo.error || "";
    badge.textContent = photo.status;
    li.appendChild(badge);
    return li;
  }

  window.Photoshare = { watch: watch, tile: tile, PENDING: PENDING };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".tile[data-color]").forEach(function (li) {
      paint(li.querySelector("img, .placeholder"), li.dataset.color);
    });
    document.querySelectorAll("[data-photo-id]").forEach(watch);
  });
})();
