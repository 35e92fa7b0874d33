/* The studio's upload: files dropped or chosen go up one request each, so each shows its own
 * progress and a refused file (too large, a type not taken) says why without sinking the others.
 * Without this script the form still posts every file at once. */
(function () {
  "use strict";
  const zone = document.querySelector("[data-upload]");
  if (!zone) { return; }
  const form = zone.querySelector("form");
  const input = form.querySelector("input[type=file]");
  const list = form.querySelector(".upload-list");
  const maxBytes = Number(form.dataset.maxMb) * 1024 * 1024;

  function row(file) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    item.append(name, bar);
    list.append(item);
    return { item: item, name: name, bar: bar };
  }

  function send(file) {
    const shown = row(file);
    if (file.size > maxBytes) {
      shown.bar.replaceWith(document.createTextNode("Refused: larger than " + form.dataset.maxMb + " MB"));
      return Promise.resolve(false);
    }
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("files", file);
    return new Promise(function (resolve) {
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { shown.bar.value = Math.round((100 * e.loaded) / e.total); }
      });
      request.addEventListener("load", function () {
        let body = {};
        try { body = JSON.parse(request.responseText); } catch (e) { body = {}; }
        const note = document.createElement("span");
        if (request.status === 200) {
          shown.bar.value = 100;
          note.textContent = "Uploaded as a draft";
        } else {
          note.textContent = "Refused: " + (body.error || "the server answered " + request.status);
          note.className = "error";
        }
        shown.bar.replaceWith(note);
        resolve(request.status === 200);
      });
      request.addEventListener("error", function () {
        shown.bar.replaceWith(document.createTextNode("Failed: the connection was lost"));
        resolve(false);
      });
      request.send(data);
    });
  }

  async function sendAll(files) {
    list.textContent = "";
    let uploaded = 0;
    for (const file of files) { if (await send(file)) { uploaded += 1; } }
    if (uploaded) { window.setTimeout(function () { window.location.reload(); }, 800); }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (input.files.length) { sendAll(Array.from(input.files)); }
  });
  ["dragenter", "dragover"].forEach(function (kind) {
    zone.addEventListener(kind, function (e) { e.preventDefault(); zone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (kind) {
    zone.addEventListener(kind, function (e) { e.preventDefault(); zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) { sendAll(Array.from(e.dataTransfer.files)); }
  });
})();
