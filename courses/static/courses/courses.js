// Progressive enhancement only: every page works without JavaScript.
(() => {
  // The module's contents list is folded on a phone and open on wider screens.
  document.querySelectorAll("details[data-open-from]").forEach((details) => {
    const wide = window.matchMedia(`(min-width: ${details.dataset.openFrom}px)`);
    const follow = () => { details.open = wide.matches; };
    follow();
    wide.addEventListener("change", follow);
  });

  // "Copy link": without JavaScript it is a plain link to the page it would copy.
  document.querySelectorAll("a[data-copy]").forEach((link) => {
    if (!navigator.clipboard) return;
    const status = document.getElementById(link.dataset.copyStatus);
    link.setAttribute("role", "button");
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      try {
        await navigator.clipboard.writeText(link.dataset.copy);
        if (status) status.textContent = link.dataset.copiedText;
      } catch {
        window.location.href = link.href;
      }
    });
  });
})();

// Forms show only the part that applies (the profile's licensed or pre-licensed path).
(() => {
  document.querySelectorAll("[data-shows-for]").forEach((section) => {
    const name = section.dataset.showsFor;
    const inputs = document.querySelectorAll(`[name="${name}"], #${name}`);
    const follow = () => {
      const chosen = [...inputs].find((input) => input.type !== "radio" || input.checked);
      section.hidden = !chosen || chosen.value !== section.dataset.showsValue;
    };
    inputs.forEach((input) => input.addEventListener("change", follow));
    follow();
  });
})();
