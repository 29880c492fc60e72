// Scales photos down in the browser before they are uploaded, and shows what
// was chosen: the file inputs inside an element marked `data-downscale`.
//
// - A JPEG, PNG or WebP image longer than 2,048 px on a side, or heavier than
//   1.5 MB, is redrawn at most 2,048 px long and encoded as WebP (JPEG where
//   the browser cannot write WebP; a PNG with transparency stays PNG), lowering
//   the quality until it fits in 1.5 MB. A phone's 12-megapixel photo goes up
//   as about a tenth of its size. The original is kept when it is already
//   small, and whenever the smaller copy would not be smaller.
// - GIFs (they may move), SVGs and other files go as they are.
// - Each chosen file is listed under the input: a thumbnail for images, the
//   name and size, and what scaling did.
// - Without JavaScript (or without canvas support) the originals are sent,
//   and the server's own limits apply as before.
(() => {
  const LONGEST_SIDE = 2048;
  const TARGET_BYTES = 1.5 * 1024 * 1024;
  const QUALITIES = [0.85, 0.75, 0.65, 0.55];
  const SCALABLE = new Set(["image/jpeg", "image/png", "image/webp"]);
  const THUMB = 96;

  if (!window.DataTransfer || !window.createImageBitmap || !HTMLCanvasElement.prototype.toBlob) {
    return;
  }

  const sizeOf = (bytes) =>
    bytes >= 1024 * 1024
      ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
      : `${Math.max(1, Math.round(bytes / 1024))} KB`;
  const encode = (canvas, type, quality) =>
    new Promise((done) => canvas.toBlob(done, type, quality));

  const hasTransparency = (context, width, height) => {
    const pixels = context.getImageData(0, 0, width, height).data;
    for (let alpha = 3; alpha < pixels.length; alpha += 4) {
      if (pixels[alpha] < 255) return true;
    }
    return false;
  };

  // The scaled copy of ``file``, or null when the original should go.
  const scaled = async (file) => {
    if (!SCALABLE.has(file.type)) return null;
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const { width, height } = bitmap;
    const factor = Math.min(1, LONGEST_SIDE / Math.max(width, height));
    if (factor === 1 && file.size <= TARGET_BYTES) {
      bitmap.close();
      return null; // already small: the original goes
    }
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(width * factor));
    canvas.height = Math.max(1, Math.round(height * factor));
    const context = canvas.getContext("2d");
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const transparent =
      file.type === "image/png" && hasTransparency(context, canvas.width, canvas.height);
    let blob = null;
    for (const quality of QUALITIES) {
      blob = await encode(canvas, "image/webp", quality);
      if (!blob || blob.type !== "image/webp") {
        // This browser cannot write WebP: JPEG, unless it would lose transparency.
        blob = transparent ? await encode(canvas, "image/png") : await encode(canvas, "image/jpeg", quality);
      }
      if (!blob || blob.size <= TARGET_BYTES || blob.type === "image/png") break;
    }
    if (!blob || blob.size >= file.size) return null;
    const extension = { "image/webp": ".webp", "image/jpeg": ".jpg", "image/png": ".png" }[blob.type];
    const name = file.name.replace(/\.[^.]*$/, "") + extension;
    return {
      file: new File([blob], name, { type: blob.type, lastModified: file.lastModified }),
      note: `${width}×${height} → ${canvas.width}×${canvas.height}`,
    };
  };

  const thumbnail = async (file) => {
    if (!SCALABLE.has(file.type) && file.type !== "image/gif") return null;
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      const factor = Math.min(1, THUMB / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * factor));
      canvas.height = Math.max(1, Math.round(bitmap.height * factor));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      // A data: address, which the pages' content policy allows for images.
      return canvas.toDataURL("image/jpeg", 0.7);
    } catch {
      return null;
    }
  };

  const show = async (list, entries) => {
    list.replaceChildren();
    for (const { file, original, note } of entries) {
      const item = document.createElement("li");
      item.className = "upload-preview";
      const source = await thumbnail(file);
      if (source) {
        const image = document.createElement("img");
        image.src = source;
        image.alt = "";
        image.width = THUMB;
        item.append(image);
      }
      const text = document.createElement("span");
      text.textContent = original
        ? `${file.name} · ${sizeOf(original.size)} → ${sizeOf(file.size)} (${note})`
        : `${file.name} · ${sizeOf(file.size)}`;
      item.append(text);
      list.append(item);
    }
    list.hidden = entries.length === 0;
  };

  const setUp = (input) => {
    const list = document.createElement("ul");
    list.className = "upload-previews";
    list.hidden = true;
    list.setAttribute("aria-live", "polite");
    input.closest("[data-downscale]").insertAdjacentElement("afterend", list);
    let working = Promise.resolve();
    const form = input.form;

    input.addEventListener("change", () => {
      const chosen = [...input.files];
      working = (async () => {
        input.setAttribute("aria-busy", "true");
        const entries = [];
        for (const file of chosen) {
          let copy = null;
          try {
            copy = await scaled(file);
          } catch {
            copy = null; // undecodable here: the server decides
          }
          entries.push(copy ? { file: copy.file, original: file, note: copy.note } : { file });
        }
        if (entries.some((entry) => entry.original)) {
          const files = new DataTransfer();
          entries.forEach((entry) => files.items.add(entry.file));
          input.files = files.files;
        }
        await show(list, entries);
        input.removeAttribute("aria-busy");
        input.dataset.downscaled = "1";
      })();
    });
    // A form sent while photos are still being scaled waits for them.
    form?.addEventListener("submit", (event) => {
      if (!input.hasAttribute("aria-busy")) return;
      event.preventDefault();
      working.then(() => form.requestSubmit(event.submitter));
    });
  };

  document.querySelectorAll("[data-downscale] input[type=file]").forEach(setUp);
})();
