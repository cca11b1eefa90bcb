// Multi-file upload over the JSON API: pick or drop many files; each gets a row with a progress
// bar, a cancel button, then its live job status. A few go at once; a refused file shows the
// server's reason and the others carry on. Without JavaScript the same form posts one file to
// /upload.
//
// The bytes go straight to S3: the page hashes the file (SHA-256), asks POST /api/uploads for
// presigned part URLs (or learns the photo is already there), PUTs the parts and completes. The
// upload id is kept in localStorage under the file's hash, so after a reload the same file
// dropped again resumes: GET /api/uploads/<id> names the parts S3 has and only the rest are sent.
// Browsers without crypto.subtle (plain http on another host) post the file to /api/photos.
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
    if (item.xhr) { item.xhr.abort(); return; }  // the posted path settles itself on abort
    (item.xhrs || []).forEach(function (xhr) { xhr.abort(); });
    if (item.uploadId) {
      localStorage.removeItem(RESUME + item.sha256);
      api("DELETE", "/api/uploads/" + encodeURIComponent(item.uploadId));
    }
    this.finish(item, "cancelled", "Cancelled");
    this.settle(item);
  };

  Uploader.prototype.send = function (item) {
    var self = this;
    if (this.maxBytes && item.file.size > this.maxBytes) {
      this.finish(item, "error", "Too large: photos may be up to " + this.root.dataset.maxMb + " MB.");
      return;
    }
    this.active += 1;
    // Files the browser does not take for images go through the web, which refuses them at once
    // with its reason; either way the server judges the bytes, not the name or the type.
    var direct = window.crypto && window.crypto.subtle && window.fetch && window.localStorage;
    if (!direct || !/^image\//.test(item.file.type)) { this.post(item); return; }
    item.li.dataset.state = "sending";
    item.state.textContent = "Checking…";
    item.file.arrayBuffer().then(function (data) {
      return window.crypto.subtle.digest("SHA-256", data);
    }).then(function (digest) {
      item.sha256 = Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      return self.direct(item);
    }).catch(function (error) {
      if (!item.cancelled) { self.finish(item, "error", error.message); }
    }).then(function () { self.settle(item); });
  };

  // A file's slot is given back once, by its end or its cancel, whichever comes first.
  Uploader.prototype.settle = function (item) {
    if (item.settled) { return; }
    item.settled = true;
    this.release();
  };

  Uploader.prototype.release = function () {
    this.active -= 1;
    this.pump();
  };

  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    var csrf = document.querySelector('meta[name="csrf-token"]');
    if (csrf) { headers["X-CSRFToken"] = csrf.content; }
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, body: json };
      });
    });
  }

  function refused(answer) {
    return new Error(answer.body && answer.body.error ? answer.body.error : "The upload failed (HTTP " + answer.status + ").");
  }

  var RESUME = "photoshare-upload:";

  // The direct path: resume or start, send the parts S3 lacks, complete.
  Uploader.prototype.direct = function (item) {
    var self = this, file = item.file, saved = localStorage.getItem(RESUME + item.sha256);
    if (item.cancelled) { return Promise.reject(new Error("Cancelled")); }
    var begun = saved ? api("GET", "/api/uploads/" + encodeURIComponent(saved) + "?parts=" + 1).then(function (answer) {
      if (answer.status !== 200) { localStorage.removeItem(RESUME + item.sha256); return null; }
      var count = Math.max(1, Math.ceil(file.size / answer.body.part_size));
      return api("GET", "/api/uploads/" + encodeURIComponent(saved) + "?parts=" + count).then(function (full) {
        if (full.status !== 200) { return null; }
        full.body.upload_id = saved;
        return full.body;
      });
    }) : Promise.resolve(null);
    return begun.then(function (resumed) {
      if (resumed) { return resumed; }
      return api("POST", "/api/uploads", { filename: file.name, size: file.size, sha256: item.sha256 }).then(function (answer) {
        if (answer.status === 200 && answer.body.duplicate_of) { return answer.body; }
        if (answer.status !== 201) { throw refused(answer); }
        localStorage.setItem(RESUME + item.sha256, answer.body.upload_id);
        answer.body.received = [];
        return answer.body;
      });
    }).then(function (upload) {
      if (upload.duplicate_of) { self.duplicate(item, upload.duplicate_of); return null; }
      item.uploadId = upload.upload_id;
      return self.sendParts(item, upload).then(function (parts) {
        item.state.textContent = "Finishing…";
        var body = { parts: parts };
        var visibility = document.querySelector("[data-upload-visibility]");
        if (visibility && visibility.value) { body.visibility = visibility.value; }
        return api("POST", "/api/uploads/" + encodeURIComponent(upload.upload_id) + "/complete", body);
      }).then(function (answer) {
        localStorage.removeItem(RESUME + item.sha256);
        if (answer.status === 202) { self.accepted(item, answer.body); }
        else if (answer.status === 200 && answer.body.duplicate_of) { self.duplicate(item, answer.body.duplicate_of); }
        else { throw refused(answer); }
      });
    });
  };

  // PUT each missing part to its presigned URL, two at a time; progress counts parts S3 had.
  Uploader.prototype.sendParts = function (item, upload) {
    var file = item.file, size = upload.part_size, done = {}, loaded = {}, have = 0;
    (upload.received || []).forEach(function (p) { done[p.number] = p.etag; have += p.size; });
    var todo = upload.parts.filter(function (p) { return !done[p.number]; });
    item.xhrs = [];
    function show() {
      var sent = have;
      Object.keys(loaded).forEach(function (n) { sent += loaded[n]; });
      var percent = Math.floor((sent / Math.max(1, file.size)) * 100);
      item.progress.value = percent;
      item.state.textContent = "Uploading… " + percent + "%";
    }
    show();
    function put(part) {
      return new Promise(function (resolve, reject) {
        if (item.cancelled) { reject(new Error("Cancelled")); return; }
        var xhr = new XMLHttpRequest();
        item.xhrs.push(xhr);
        xhr.upload.addEventListener("progress", function (event) { loaded[part.number] = event.loaded; show(); });
        xhr.addEventListener("load", function () {
          var etag = xhr.getResponseHeader("ETag");
          if (xhr.status === 200 && etag) { done[part.number] = etag; resolve(); }
          else { reject(new Error("Storage refused a part (HTTP " + xhr.status + ").")); }
        });
        xhr.addEventListener("error", function () { reject(new Error("The upload failed: the connection was lost. Drop the file again to resume.")); });
        xhr.addEventListener("abort", function () { reject(new Error("Cancelled")); });
        xhr.open("PUT", part.url);
        xhr.send(file.slice((part.number - 1) * size, part.number * size));
      });
    }
    var queue = todo.slice();
    function lane() { return queue.length ? put(queue.shift()).then(lane) : Promise.resolve(); }
    return Promise.all([lane(), lane()]).then(function () {
      return upload.parts.map(function (p) { return { number: p.number, etag: done[p.number] }; });
    });
  };

  Uploader.prototype.duplicate = function (item, photo) {
    if (item.cancelled) { return; }
    this.finish(item, "uploaded", "Already in your photos");
    item.progress.remove();
    var link = el("a", "upload-name", item.file.name);
    link.href = "/photos/" + encodeURIComponent(photo.id);
    item.name.replaceWith(link);
  };

  Uploader.prototype.post = function (item) {
    var self = this;
    var file = item.file;
    var xhr = new XMLHttpRequest();
    item.xhr = xhr;
    item.li.dataset.state = "sending";
    item.state.textContent = "Uploading…";
    var done = false;
    function settle() {
      if (done) { return false; }
      done = true;
      self.release();
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
      } else if (xhr.status === 200 && body && body.duplicate_of) {
        self.duplicate(item, body.duplicate_of);
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
    if (item.cancelled && !item.xhr) { return; }
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
