/* The page viewer (asset page, share links, deal rooms): PDF.js (vendored under static/vendor/pdfjs)
 * draws one page at a time on a canvas, with Previous / Next and the arrow keys, and says "Page N of
 * M". In a deal room it tells rooms.js which page is shown, so reading is counted page by page (a
 * deck's slides too: they are pages of its PDF rendition). No eval, no WebAssembly, the worker from
 * 'self': it runs under the site's Content Security Policy as it is. */
const viewer = document.querySelector(".pdf-viewer");
if (viewer) {
  const pdfjs = await import(viewer.dataset.lib);
  pdfjs.GlobalWorkerOptions.workerSrc = viewer.dataset.worker;
  const canvas = viewer.querySelector(".pdf-canvas");
  const status = viewer.querySelector(".pdf-status");
  const prev = viewer.querySelector(".pdf-prev");
  const next = viewer.querySelector(".pdf-next");
  let doc = null;
  let number = 1;
  let rendering = null;

  async function draw(n) {
    if (rendering) { rendering.cancel(); }
    const page = await doc.getPage(n);
    const width = Math.min(viewer.clientWidth || 800, 900);
    const scale = width / page.getViewport({ scale: 1 }).width;
    const viewport = page.getViewport({ scale: scale * (window.devicePixelRatio || 1) });
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    canvas.style.width = Math.round(viewport.width / (window.devicePixelRatio || 1)) + "px";
    rendering = page.render({ canvas: canvas, viewport: viewport });
    try { await rendering.promise; } catch (e) { return; }
    rendering = null;
    number = n;
    status.textContent = "Page " + n + " of " + doc.numPages;
    canvas.setAttribute("aria-label", viewer.dataset.title + ", page " + n + " of " + doc.numPages);
    prev.disabled = n <= 1;
    next.disabled = n >= doc.numPages;
    if (window.roomReading) { window.roomReading.show(n); }
  }

  function go(step) {
    const n = number + step;
    if (doc && n >= 1 && n <= doc.numPages) { draw(n); }
  }

  try {
    doc = await pdfjs.getDocument({ url: viewer.dataset.src, isEvalSupported: false, useWasm: false }).promise;
    await draw(1);
  } catch (e) {
    status.textContent = "This document cannot be shown here.";
  }
  prev.addEventListener("click", function () { go(-1); });
  next.addEventListener("click", function () { go(1); });
  viewer.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft" || e.key === "PageUp") { go(-1); e.preventDefault(); }
    if (e.key === "ArrowRight" || e.key === "PageDown") { go(1); e.preventDefault(); }
  });
}
