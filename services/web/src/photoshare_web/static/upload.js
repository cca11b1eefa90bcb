// Multi-file upload over the JSON API: pick or drop many files; each gets a row with a progress
// bar (XMLHttpRequest upload progress), a cancel button, then its live job status. A few go at
// once; a refused file shows the server's reason and the others carry on. Without JavaScript the
// same form posts one file to /upload.
(function () {
  "use strict";
  var PARALLEL = 3;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function humanSize(bytes) {
    if (bytes < 1000) { return bytes + " B"; }
    var units = ["kB", "MB", "GB"], i = -1;
    do { bytes /= 1000; i += 1; } while (bytes >= 1000 && i < units.length - 1);
    return (bytes < 10 ? bytes.toFixed(1) : Math.round(bytes)) + " " + units[i];
  }

  function Uploader(root) {
    this.root = root;
    this.form = root.querySelector("form");
    this.input = root.querySelector("input[type=file]");
    this.list = root.querySelector("[data-upload-list]");
    this.grid = document.querySelector("[data-grid]");
    this.maxBytes = Number(root.dataset.maxMb || 0) * 1000 * 1000;
    this.queue = [];
    this.active = 0;
  }

  Uploader.prototype.start = function () {
    var self = this;
    this.root.classList.add("enhanced");
    this.input.multiple = true;
    this.input.required = false;
    this.root.querySelectorAll("[data-no-js]").forEach(function (n) { n.hidden = true; });
    this.root.querySelectorAll("[data-js-only]").forEach(function (n) { n.hidden = false; });
    this.input.addEventListener("change", function () {
      self.add(self.input.files);
      self.input.value = "";
    });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.add(self.input.files);
      self.input.value = "";
    });

    // Drop anywhere on the page.
    var depth = 0;
    function hasFiles(event) {
      var types = event.dataTransfer && event.dataTransfer.types;
      return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
    }
    document.addEventListener("dragenter", function (event) {
      if (!hasFiles(event)) { return; }
      depth += 1;
      document.body.classList.add("dragging");
    });
    document.addEventListener("dragleave", function (event) {
      if (!hasFiles(event)) { return; }
      depth = Math.max(0, depth - 1);
      if (depth === 0) { document.body.classList.remove("dragging"); }
    });
    document.addEventListener("dragover", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    });
    document.addEventListener("drop", function (event) {
      depth = 0;
      document.body.classList.remove("dragging");
      if (!event.dataTransfer || !event.dataTransfer.files || !event.dataTransfer.files.length) { return; }
      event.preventDefault();
      self.add(event.dataTransfer.files);
    });
  };

  Uploader.prototype.add = function (files) {
    for (var i = 0; i < files.length; i += 1) { this.queue.push(this.row(files[i])); }
    this.pump();
  };

  Uploader.prototype.row = function (file) {
    var self = this;
    var item = { file: file, xhr: null, cancelled: false };
    var li = el("li", "upload");
    li.dataset.state = "waiting";
    var name = el("span", "upload-name", file.name);
    var size = el("span", "upload-size", humanSize(file.size));
    var progress = el("progress", "upload-progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", "Upload progress of " + file.name);
    var state = el("span", "upload-state", "Waiting…");
    var cancel = el("button", "upload-cancel secondary", "Cancel");
    cancel.type = "button";
    cancel.setAttribute("aria-label", "Cancel upload of " + file.name);
    cancel.addEventListener("click", function () { self.cancel(item); });
    li.append(name, size, progress, state, cancel);
    this.list.prepend(li);
    item.li = li; item.progress = progress; item.state = state; item.cancel = cancel; item.name = name;
    return item;
  };

  Uploader.prototype.pump = function () {
    while (this.active < PARALLEL && this.queue.length) {
      var item = this.queue.shift();
      if (!item.cancelled) { this.send(item); }
    }
  };

  Uploader.prototype.finish = function (item, state, message) {
    item.li.dataset.state = state;
    item.state.textContent = message;
    item.cancel.remove();
    if (state !== "uploaded") { item.progress.remove(); }
    if (state === "error") { item.state.setAttribute("role", "alert"); }
  };

  Uploader.prototype.cancel = function (item) {
    item.cancelled = true;
    if (item.xhr) { item.xhr.abort(); } else { this.finish(item, "cancelled", "Cancelled"); }
  };

  Uploader.prototype.send = function (item) {
    var self = this;
    var file = item.file;
    if (this.maxBytes && file.size > this.maxBytes) {
      this.finish(item, "error", "Too large: photos may be up to " + this.root.dataset.maxMb + " MB.");
      return;
    }
    this.active += 1;
    var xhr = new XMLHttpRequest();
    item.xhr = xhr;
    item.li.dataset.state = "sending";
    item.state.textContent = "Uploading…";
    var done = false;
    function settle() {
      if (done) { return false; }
      done = true;
      self.active -= 1;
      self.pump();
      return true;
    }
    xhr.upload.addEventListener("progress", function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.floor((event.loaded / event.total) * 100);
      item.progress.value = percent;
      item.state.textContent = "Uploading… " + percent + "%";
    });
    xhr.addEventListener("load", function () {
      if (!settle()) { return; }
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 202 && body && body.id) {
        self.accepted(item, body);
      } else {
        var reason = body && body.error ? body.error : "The upload failed (HTTP " + xhr.status + ").";
        self.finish(item, "error", reason);
      }
    });
    xhr.addEventListener("error", function () {
      if (settle()) { self.finish(item, "error", "The upload failed: the connection was lost."); }
    });
    xhr.addEventListener("abort", function () {
      if (settle()) { self.finish(item, "cancelled", "Cancelled"); }
    });
    var data = new FormData();
    data.append("file", file, file.name);
    var visibility = document.querySelector("[data-upload-visibility]");
    if (visibility && visibility.value) { data.append("visibility", visibility.value); }
    xhr.open("POST", "/api/photos");
    xhr.setRequestHeader("Accept", "application/json");
    // The API is called with this page's session cookie, so it asks for the page's CSRF token.
    var csrf = document.querySelector('meta[name="csrf-token"]');
    if (csrf) { xhr.setRequestHeader("X-CSRFToken", csrf.content); }
    xhr.send(data);
  };

  Uploader.prototype.accepted = function (item, photo) {
    item.progress.value = 100;
    this.finish(item, "uploaded", "");
    var li = item.li;
    li.dataset.photoId = photo.id;
    li.dataset.status = photo.status;
    var link = el("a", "upload-name", item.file.name);
    link.href = "/photos/" + encodeURIComponent(photo.id);
    item.name.replaceWith(link);
    item.progress.remove();
    var badge = el("span", "badge status-" + photo.status.toLowerCase(), photo.status);
    item.state.replaceWith(badge);
    window.Photoshare.watch(li);
    if (this.grid) {
      var tile = window.Photoshare.tile(photo);
      this.grid.prepend(tile);
      window.Photoshare.watch(tile);
      var empty = document.querySelector("[data-empty]");
      if (empty) { empty.hidden = true; }
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-uploader]");
    if (root && window.XMLHttpRequest && window.FormData && window.Photoshare) { new Uploader(root).start(); }
  });
})();
