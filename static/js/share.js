/* The share link's page reports that it ran and was shown, once per page load, with the one-off key
 * it was served with. A link preview or a mail scanner fetches the page without running this, so
 * it is no view; a page opened in a background tab reports when it is first shown. */
(function () {
  "use strict";
  const source = document.getElementById("share-tracking");
  if (!source) { return; }
  const data = JSON.parse(source.textContent);
  let sent = false;

  function report() {
    if (sent || document.visibilityState !== "visible") { return; }
    sent = true;
    fetch(data.report, {
      method: "POST", body: JSON.stringify({ view: data.view }), credentials: "same-origin",
      keepalive: true, headers: { "Content-Type": "application/json" },
    }).then(function (response) {
      if (response.status >= 500) { sent = false; } // tried again the next time the page is shown
    }).catch(function () { sent = false; });
  }

  document.addEventListener("visibilitychange", report);
  report();
})();
