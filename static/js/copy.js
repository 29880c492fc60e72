// "Copy" buttons next to read-only address fields. Without JavaScript the
// buttons stay hidden and the field can be selected and copied by hand.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  const field = document.getElementById(button.dataset.copyTarget);
  if (!field || !navigator.clipboard) return;
  const label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(field.value);
    button.textContent = button.dataset.copiedText || label;
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});
