/* The deal room's PDF viewer: PDF.js (vendored under static/vendor/pdfjs) draws one page at a time on
 * a canvas, and tells rooms.js which page is shown. No eval, no WebAssembly, the worker from 'self':
 * it runs under the site's Content Security Policy as it is. */
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
    prev.disabled = n <= 1;
    next.disabled = n >= doc.numPages;
    if (window.roomReading) { window.roomReading.show(n); }
  }

  try {
    doc = await pdfjs.getDocument({ url: viewer.dataset.src, isEvalSupported: false, useWasm: false }).promise;
    await draw(1);
  } catch (e) {
    status.textContent = "This document cannot be shown here.";
  }
  prev.addEventListener("click", function () { if (doc && number > 1) { draw(number - 1); } });
  next.addEventListener("click", function () { if (doc && number < doc.numPages) { draw(number + 1); } });
}
