// Photo page: ←/→ go to the newer/older photo; "Delete…" opens a confirmation dialog.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      var target = event.target;
      if (target.closest && target.closest("input, textarea, select, [contenteditable], dialog[open]")) { return; }
      var rel = event.key === "ArrowLeft" ? "prev" : event.key === "ArrowRight" ? "next" : null;
      var link = rel && document.querySelector(".photo-nav a[rel=" + rel + "]");
      if (link) { event.preventDefault(); window.location.href = link.href; }
    });

    var opener = document.querySelector("[data-delete-dialog]");
    var dialog = opener && document.getElementById(opener.dataset.deleteDialog);
    if (!dialog || typeof dialog.showModal !== "function") { return; }  // keep the confirm page
    opener.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
    });
    dialog.querySelectorAll("[data-close-dialog]").forEach(function (button) {
      button.addEventListener("click", function () { dialog.close(); });
    });
    dialog.addEventListener("close", function () { opener.focus(); });
    dialog.addEventListener("click", function (event) { if (event.target === dialog) { dialog.close(); } });
  });
})();
