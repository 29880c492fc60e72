// Keeps what is typed into a form marked `data-draft` in this browser
// (localStorage, keyed by the address the form is sent to), so a closed tab,
// a lost connection or a refused upload does not cost the text.
//
// - On load, a saved draft that differs from the form's fields is put back,
//   with a note and a "discard" button (which restores what the page had).
// - While typing, the draft is saved (debounced).
// - When the form is sent, its key is remembered for this tab. On the next page
//   the draft is forgotten if the send worked: the server redirected elsewhere
//   and says so with a success message. Back on the same form (an error), the
//   draft stays.
(() => {
  const PREFIX = "sqeeze:draft:";
  const SENT = "sqeeze:draft-sent";
  const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

  let storage;
  try {
    storage = window.localStorage;
    storage.setItem(PREFIX + "probe", "1");
    storage.removeItem(PREFIX + "probe");
  } catch {
    return; // private mode or storage switched off: the form works as before
  }

  const keyOf = (form) => PREFIX + new URL(form.action, window.location.href).pathname;
  const fieldsOf = (form) =>
    [...form.querySelectorAll('input[type="text"], textarea')].filter((field) => field.name);
  const valuesOf = (form) => Object.fromEntries(fieldsOf(form).map((f) => [f.name, f.value]));

  const read = (key) => {
    try {
      const draft = JSON.parse(storage.getItem(key));
      if (draft && draft.values && Date.now() - draft.savedAt < MAX_AGE_MS) return draft;
    } catch {
      /* a damaged draft is dropped below */
    }
    storage.removeItem(key);
    return null;
  };

  const forms = [...document.querySelectorAll("form[data-draft]")];

  // A form sent from the previous page: forget its draft once it was saved.
  let sentKey = null;
  try {
    sentKey = window.sessionStorage.getItem(SENT);
    window.sessionStorage.removeItem(SENT);
  } catch {
    sentKey = null;
  }
  const succeeded = document.querySelector(".messages .message--success") !== null;
  if (sentKey && succeeded && !forms.some((form) => keyOf(form) === sentKey)) {
    storage.removeItem(sentKey);
  }

  forms.forEach((form) => {
    const key = keyOf(form);
    const note = form.querySelector("[data-draft-note]");
    const discard = form.querySelector("[data-draft-discard]");
    const original = valuesOf(form);
    const draft = read(key);

    if (draft && fieldsOf(form).some((f) => f.name in draft.values && draft.values[f.name] !== f.value)) {
      fieldsOf(form).forEach((field) => {
        if (field.name in draft.values) field.value = draft.values[field.name];
      });
      if (note) note.hidden = false;
    }
    if (discard) {
      discard.addEventListener("click", () => {
        fieldsOf(form).forEach((field) => {
          if (field.name in original) field.value = original[field.name];
        });
        storage.removeItem(key);
        if (note) note.hidden = true;
      });
    }

    let timer = null;
    const save = () => {
      try {
        storage.setItem(key, JSON.stringify({ values: valuesOf(form), savedAt: Date.now() }));
      } catch {
        /* storage full: keep going without a draft */
      }
    };
    form.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 400);
    });
    form.addEventListener("submit", () => {
      window.clearTimeout(timer);
      save();
      try {
        window.sessionStorage.setItem(SENT, key);
      } catch {
        /* without sessionStorage the draft simply stays until discarded */
      }
    });
  });
})();
