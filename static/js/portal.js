/* Portal behaviour kept out of the markup: the Content Security Policy refuses inline handlers.
 * Loaded in <head> without defer: the class below must be set before the header is drawn. */
(function () {
  "use strict";
  // Only a page whose script runs hides the phone menu behind its button; without script it stays open.
  document.documentElement.classList.add("js");

  function menu(open) {
    const toggle = document.querySelector(".menu-toggle");
    if (!toggle) { return; }
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.querySelector(".topbar").classList.toggle("menu-open", open);
  }

  // Delegated from the document, so buttons that htmx swaps in later work too.
  document.addEventListener("click", function (event) {
    const toggle = event.target.closest(".menu-toggle");
    if (toggle) {
      menu(toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    const button = event.target.closest("button[data-copy]");
    if (!button) { return; }
    const field = document.getElementById(button.dataset.copy);
    if (field && navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; });
    }
  });
  // A PDF preview (<object>) or framed file that holds the focus is not matched by :focus (the focus
  // is in its own document), so it is outlined by class: the page's window loses the focus to it.
  function embeddedFocus(on) {
    document.querySelectorAll(".has-focus").forEach(function (el) { el.classList.remove("has-focus"); });
    const active = document.activeElement;
    if (on && active && active.matches("object, iframe")) { active.classList.add("has-focus"); }
  }
  window.addEventListener("blur", function () { window.setTimeout(function () { embeddedFocus(true); }, 0); });
  window.addEventListener("focus", function () { embeddedFocus(false); });

  document.addEventListener("keydown", function (event) {
    const toggle = document.querySelector(".menu-toggle[aria-expanded=true]");
    if (event.key === "Escape" && toggle) {
      menu(false);
      toggle.focus();
    }
  });
})();
