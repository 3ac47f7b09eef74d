// Drag-and-drop onto the upload form's file input, a list of the chosen files, and a warning
// for files over the size limit before they are sent. The form works without this script.
(() => {
  "use strict";
  const form = document.querySelector("[data-upload-form]");
  if (!form) return;
  const zone = form.querySelector("[data-dropzone]");
  const input = form.querySelector("input[type=file]");
  const chosen = form.querySelector("[data-chosen]");
  const maxBytes = Number(form.dataset.maxBytes);
  const maxFiles = Number(form.dataset.maxFiles);

  const line = (text, isError) => {
    const item = document.createElement("li");
    item.textContent = text;
    if (isError) item.className = "error";
    chosen.appendChild(item);
  };

  const list = () => {
    chosen.replaceChildren();
    const files = [...input.files];
    if (files.length > maxFiles) line(`Choose at most ${maxFiles} files at a time.`, true);
    files.forEach((file) => {
      const tooLarge = file.size > maxBytes;
      const megabytes = (file.size / 1048576).toFixed(1);
      const note = tooLarge ? ` is larger than the ${form.dataset.maxSize} limit` : "";
      line(`${file.name} (${megabytes} MB)${note}`, tooLarge);
    });
  };

  input.addEventListener("change", list);
  ["dragenter", "dragover"].forEach((type) =>
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    }));
  ["dragleave", "drop"].forEach((type) =>
    zone.addEventListener(type, () => zone.classList.remove("dragging")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    input.files = event.dataTransfer.files;
    list();
  });
  form.addEventListener("submit", () => {
    const button = form.querySelector("[data-upload-button]");
    button.disabled = true;
    button.textContent = "Uploading…";
  });
})();
