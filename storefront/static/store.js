// Progressive touches only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // The sort menu applies at once instead of waiting for the Apply button.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  // Typeahead: completions from the store's suggest API into the search box's datalist.
  const box = document.querySelector("input[data-suggest]");
  const list = document.getElementById("suggestions");
  if (!box || !list) return;
  let pending = null;
  box.addEventListener("input", () => {
    clearTimeout(pending);
    const prefix = box.value.trim();
    if (prefix.length < 2) return;
    pending = setTimeout(async () => {
      const answer = await fetch(box.dataset.suggest + "?prefix=" + encodeURIComponent(prefix));
      if (!answer.ok) return;
      const body = await answer.json();
      list.replaceChildren(...body.suggestions.map((s) => new Option(s.text)));
    }, 150);
  });
});
