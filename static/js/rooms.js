/* Deal room reading events: which page of which asset is visible, and for how long.
 *
 * Seconds count only while the tab is visible (Page Visibility API). Each page event carries the
 * page's running total in this visit, so the server keeps the largest total it has seen: a batch
 * sent twice, or late, counts once. Batches go with navigator.sendBeacon when the tab is hidden or
 * left, and every 10 s while reading. `end` is sent when the buyer leaves the room (not when moving
 * between its pages). A page the browser brings back from its cache (Back, Forward) goes on with the
 * same visit: the server continues a visit ended less than a sitting ago, so the rep hears of the
 * sitting once. The PDF viewer (rooms-pdf.mjs) calls window.roomReading.show(page).
 */
(function () {
  "use strict";
  const source = document.getElementById("room-tracking");
  if (!source) { return; }
  const data = JSON.parse(source.textContent);
  const totals = {};
  Object.keys(data.pages || {}).forEach(function (page) { totals[page] = data.pages[page]; });
  let current = null;
  let since = null;
  let queue = [];
  let navigating = false;

  function settle() {
    if (current !== null && since !== null) {
      const at = performance.now();
      totals[current] = (totals[current] || 0) + (at - since) / 1000;
      since = at;
    }
  }
  function event(kind, page) {
    return {
      visit: data.visit, kind: kind, asset: kind === "page" ? data.asset : null,
      page: page, seconds: kind === "page" ? Math.round((totals[page] || 0) * 1000) / 1000 : 0, at: Date.now(),
    };
  }
  function send(beacon) {
    settle();
    if (current !== null) { queue.push(event("page", current)); }
    if (!queue.length) { return; }
    const body = JSON.stringify(queue);
    queue = [];
    if (beacon && navigator.sendBeacon) {
      navigator.sendBeacon(data.events, new Blob([body], { type: "application/json" }));
    } else {
      fetch(data.events, {
        method: "POST", body: body, credentials: "same-origin", keepalive: true,
        headers: { "Content-Type": "application/json" },
      }).catch(function () { /* the next batch carries the same running totals */ });
    }
  }
  function show(page) {
    settle();
    if (current !== null) { queue.push(event("page", current)); }
    current = page;
    since = document.visibilityState === "visible" ? performance.now() : null;
    queue.push(event("page", page));
    send(false);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      settle();
      since = null;
      send(true);
    } else if (current !== null) {
      since = performance.now();
    }
  });
  window.addEventListener("pagehide", function () {
    settle();
    since = null;
    if (!navigating) { queue.push(event("end", null)); }
    send(true);
  });
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) { return; }
    navigating = false;
    since = current !== null && document.visibilityState === "visible" ? performance.now() : null;
    queue.push(event("start", null));
    send(false);
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest("a[data-room-nav]")) { navigating = true; }
  });
  window.setInterval(function () { if (document.visibilityState === "visible") { send(false); } }, 10000);

  window.roomReading = { show: show, asset: data.asset };
  queue.push(event("start", null));
  const viewer = document.querySelector(".pdf-viewer");
  if (data.asset !== null && !viewer) {
    show(1); // an image, video or text: one page
  } else {
    send(false);
  }
})();
