// A live count under each answer box marked `data-char-count`: "12 / 300",
// and a hint while the answer is under its minimum or over its maximum
// (`data-min-chars`, `data-max-chars`). The server checks the same limits;
// without JavaScript nothing is counted and the form works as before.
(() => {
  const format = (box) => {
    const count = [...box.value.trim()].length; // emoji count once, as the server does
    const max = Number(box.dataset.maxChars) || 0;
    const min = Number(box.dataset.minChars) || 0;
    const text = max ? `${count} / ${max}` : `${count}`;
    const state = max && count > max ? "over" : min && count < min ? "under" : "ok";
    return { text, state };
  };

  document.querySelectorAll("textarea[data-char-count]").forEach((box) => {
    const out = document.querySelector(`[data-char-count-for="${box.id}"]`);
    if (!out) return;
    const show = () => {
      const { text, state } = format(box);
      out.textContent = text;
      out.dataset.state = state;
    };
    out.hidden = false;
    show();
    box.addEventListener("input", show);
  });
})();
