/* Adds a "Copy link" button beside each shared link. Without JavaScript, or without a
   clipboard, the link stays selectable text and nothing else changes. */
(function () {
  "use strict";
  if (!navigator.clipboard) { return; }
  var labels = document.querySelector("[data-copy-label]");
  if (!labels) { return; }
  document.querySelectorAll("code[data-copy]").forEach(function (code) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary copy-button";
    button.textContent = labels.dataset.copyLabel;
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(code.dataset.copy).then(function () {
        status.textContent = labels.dataset.copiedLabel;
      }, function () {
        status.textContent = labels.dataset.copyFailedLabel;
      });
    });
    var row = code.closest("p");
    row.after(button);
    button.after(status);
  });
})();
