// The phone menu of the site header (templates/base.html). On narrow screens
// the header shows the brand, the bell and a "Menu" button that opens the
// other links. Without JavaScript the button stays hidden and every link shows.
//
// Loaded without `defer` at the top of the header: the class below must be on
// the page before the header is drawn, or the menu would flash open.
document.documentElement.classList.add("js-nav");

document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("[data-nav-toggle]");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) return;
  toggle.hidden = false;

  const isOpen = () => toggle.getAttribute("aria-expanded") === "true";
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("is-open", open);
  };

  toggle.addEventListener("click", () => setOpen(!isOpen()));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) {
      setOpen(false);
      toggle.focus();
    }
  });
  // A tap anywhere else closes it, like any menu.
  document.addEventListener("click", (event) => {
    if (isOpen() && !menu.contains(event.target) && !toggle.contains(event.target)) {
      setOpen(false);
    }
  });
});
