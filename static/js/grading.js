/* The grading dashboard, on top of pages that work without it.
 *
 * Grading page: keyboard shortcuts (listed in the page's help):
 *   a  achieved          n  not achieved
 *   s  or Ctrl+Enter     save and next
 *   j / k                next / previous submission
 *   f                    write feedback
 * Letters are ignored while typing in a field (Ctrl+Enter still saves).
 * Choosing a result moves an untouched score to its default: the mission's
 * points for "achieved", 0 for "not achieved".
 *
 * Queue page: a filter applies as soon as it changes; "select all shown".
 */
(() => {
  "use strict";

  // Fields that take letters; a focused radio, checkbox or button does not.
  const TYPING =
    "input:not([type=radio]):not([type=checkbox]):not([type=button]):not([type=submit]), " +
    "textarea, select, [contenteditable=''], [contenteditable='true']";

  const isTyping = (target) => target instanceof Element && target.closest(TYPING) !== null;

  const form = () => document.querySelector("[data-grade-form]");

  const busy = (element) => element !== null && element.classList.contains("htmx-request");

  function choose(which) {
    const grade = form();
    if (grade === null) return false;
    const radio = grade.querySelector(which === "achieved" ? "[data-grade-achieved]" : "[data-grade-not-achieved]");
    if (radio === null) return false;
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function follow(selector) {
    const link = document.querySelector(selector);
    if (link === null) return false;
    link.click(); // htmx swaps the panel; without it, the browser follows the link
    return true;
  }

  function saveAndNext() {
    const grade = form();
    if (grade === null || busy(grade)) return false;
    const button = grade.querySelector("[data-grade-save-next]");
    if (button === null) return false;
    // A click (not form.submit()) so the browser checks the fields and htmx
    // sends the button's name and value ("then=next").
    button.click();
    return true;
  }

  function focusFeedback() {
    const field = document.getElementById("grade-feedback");
    if (field === null) return false;
    field.focus();
    return true;
  }

  const LETTERS = {
    a: () => choose("achieved"),
    n: () => choose("not_achieved"),
    s: saveAndNext,
    j: () => follow("[data-grading-next]"),
    k: () => follow("[data-grading-previous]"),
    f: focusFeedback,
  };

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing || form() === null) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      if (saveAndNext()) event.preventDefault();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    const action = LETTERS[event.key.toLowerCase()];
    if (action !== undefined && action()) event.preventDefault();
  });

  // An untouched score follows the result; one the teacher typed is theirs.
  document.addEventListener("input", (event) => {
    if (event.target.matches && event.target.matches("[data-grade-score]")) {
      event.target.dataset.touched = "true";
    }
  });
  document.addEventListener("change", (event) => {
    const radio = event.target;
    if (!(radio instanceof HTMLInputElement) || radio.name !== "achievement_status") return;
    const grade = radio.closest("[data-grade-form]");
    const score = grade && grade.querySelector("[data-grade-score]");
    if (!score || score.dataset.touched === "true") return;
    const points = grade.dataset.points || "0";
    if (radio.value === "achieved" && (score.value === "" || score.value === "0")) score.value = points;
    if (radio.value === "not_achieved" && score.value === points) score.value = "0";
  });

  // After a new panel arrives: an error in view if there is one, else the
  // panel's top; keyboard focus on the panel so the shortcuts keep working.
  document.addEventListener("htmx:afterSwap", () => {
    const panel = document.querySelector("[data-grading-panel]");
    if (panel === null) return;
    const error = panel.querySelector("[role=alert]");
    panel.focus({ preventScroll: true });
    if (error !== null) {
      error.scrollIntoView({ block: "center" });
    } else if (panel.getBoundingClientRect().top < 0) {
      panel.scrollIntoView({ block: "start" });
    }
  });

  // --- the queue ---------------------------------------------------------------------
  function setUpQueue() {
    const filters = document.querySelector("[data-auto-submit]");
    if (filters !== null) {
      const apply = filters.querySelector("[data-auto-submit-button]");
      if (apply !== null) apply.hidden = true; // every change applies at once
      filters.addEventListener("change", (event) => {
        // Weeks and students belong to a journey: a new journey starts them over.
        if (event.target.name === "journey") {
          for (const name of ["week", "student"]) {
            const select = filters.elements[name];
            if (select) select.value = "";
          }
        }
        filters.requestSubmit();
      });
    }
    const all = document.querySelector("[data-select-all]");
    if (all !== null) {
      all.closest("label").hidden = false;
      all.addEventListener("change", () => {
        for (const box of document.querySelectorAll(".queue-row__pick")) box.checked = all.checked;
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpQueue);
  } else {
    setUpQueue();
  }
})();
