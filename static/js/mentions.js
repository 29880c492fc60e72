// Offers the journey's members while "@name" is typed in a text box: a textarea
// marked `data-mention-url` (or the textareas inside an element so marked).
//
// - The word after "@" at the caret is sent to that address (htmx); the
//   server draws the members it may mean (community.views.mention_suggestions)
//   into a list under the box.
// - Arrow keys move in the list, Enter or Tab writes the chosen name after
//   "@" (as the mention rule reads it), Escape closes it; a click or tap picks too.
// - Without JavaScript, or before the list comes, "@name" typed in full works
//   the same: the list only saves typing.
(() => {
  // The "@word" that ends at the caret; "@" not after a letter or digit
  // (an e-mail address is no mention), the word without spaces.
  const TOKEN = /(?:^|[^\p{L}\p{N}_@])@([^\s@]{1,30})$/u;
  const WAIT_MS = 150;
  let boxes = 0;

  const setUp = (textarea) => {
    if (textarea.dataset.mentionReady) return;
    textarea.dataset.mentionReady = "1";
    const url = textarea.dataset.mentionUrl || textarea.closest("[data-mention-url]").dataset.mentionUrl;
    boxes += 1;
    const list = document.createElement("ul");
    list.id = `mention-list-${boxes}`;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", textarea.closest("[data-mention-label]")?.dataset.mentionLabel || "@");
    list.hidden = true;
    textarea.insertAdjacentElement("afterend", list);
    textarea.setAttribute("aria-autocomplete", "list");
    // A text box may not say aria-expanded: the list itself is shown or hidden.
    textarea.setAttribute("aria-controls", list.id);

    let timer = null;
    let token = null; // {start, word}: where the "@" is and what follows it
    let active = -1;
    let asked = 0;

    const options = () => [...list.querySelectorAll("[data-mention]")];
    const close = () => {
      list.hidden = true;
      list.replaceChildren();
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
    };
    const highlight = (index) => {
      const all = options();
      active = all.length ? (index + all.length) % all.length : -1;
      all.forEach((option, at) => option.setAttribute("aria-selected", String(at === active)));
      if (active >= 0) textarea.setAttribute("aria-activedescendant", `${list.id}-${active}`);
    };
    const pick = (option) => {
      const caret = textarea.selectionStart;
      const written = `@${option.dataset.mention} `;
      textarea.value = textarea.value.slice(0, token.start) + written + textarea.value.slice(caret);
      const after = token.start + written.length;
      textarea.setSelectionRange(after, after);
      close();
      textarea.focus();
      // Others listening (the draft kept in this browser) see the new text.
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    };

    const lookUp = () => {
      const before = textarea.value.slice(0, textarea.selectionStart);
      const found = TOKEN.exec(before);
      if (!found) {
        close();
        return;
      }
      token = { start: before.length - found[1].length - 1, word: found[1] };
      const ticket = (asked += 1);
      htmx
        .ajax("GET", url, { target: list, swap: "innerHTML", values: { q: found[1] } })
        .then(() => {
          if (ticket !== asked) return; // an answer to an older word
          options().forEach((option, at) => {
            option.id = `${list.id}-${at}`;
          });
          const any = list.children.length > 0;
          list.hidden = !any;
          highlight(0);
        });
    };

    textarea.addEventListener("input", (event) => {
      if (!event.isTrusted) return; // our own pick
      clearTimeout(timer);
      timer = setTimeout(lookUp, WAIT_MS);
    });
    textarea.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        pick(options()[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    // mousedown, not click: the box keeps its focus and its caret.
    list.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[data-mention]");
      if (!option) return;
      event.preventDefault();
      pick(option);
    });
    textarea.addEventListener("blur", () => setTimeout(close, 150));
  };

  const setUpAll = (root) => {
    root.querySelectorAll("textarea[data-mention-url], [data-mention-url] textarea").forEach(setUp);
  };
  setUpAll(document);
  // A comment sent with htmx comes back with a fresh form.
  document.body.addEventListener("htmx:load", (event) => setUpAll(event.target));
})();
