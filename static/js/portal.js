/* Portal behaviour kept out of the markup: the Content Security Policy refuses inline handlers. */
(function () {
  "use strict";
  // Delegated from the document, so buttons that htmx swaps in later work too.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-copy]");
    if (!button) { return; }
    const field = document.getElementById(button.dataset.copy);
    if (field && navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; });
    }
  });
})();
