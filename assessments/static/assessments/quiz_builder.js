// The quiz builder: search the tag and question pickers, and count the pool as the
// trainer picks. Without JavaScript the pickers are plain checkbox lists and the count
// shown is the saved one.
(() => {
  const ready = (fn) =>
    document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", fn) : fn();

  ready(() => {
    document.querySelectorAll("[data-picker]").forEach((picker) => {
      const search = picker.querySelector("[data-picker-search]");
      const options = [...picker.querySelectorAll("[data-picker-text]")];
      const empty = picker.querySelector("[data-picker-empty]");
      search.hidden = false;
      search.addEventListener("input", () => {
        const words = search.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
        let shown = 0;
        options.forEach((option) => {
          const text = option.dataset.pickerText;
          const match = words.every((word) => text.includes(word)) || option.querySelector("input").checked;
          option.hidden = !match;
          if (match) shown += 1;
        });
        empty.hidden = shown > 0;
      });
    });

    const summary = document.querySelector("[data-pool-summary]");
    const count = document.querySelector("input[name='question_count']");
    if (!summary || !count) return;
    const text = summary.querySelector("[data-pool-text]");
    const warning = summary.querySelector("[data-pool-warning]");
    const boxes = [...document.querySelectorAll("[data-picker] input[type='checkbox']")];
    const update = () => {
      const pool = new Set();
      boxes.filter((box) => box.checked).forEach((box) => {
        box.dataset.questions.split(",").filter(Boolean).forEach((id) => pool.add(id));
      });
      const draws = parseInt(count.value, 10) || 0;
      const matches = pool.size;
      const fill = (template) =>
        template.replace("{matches}", matches).replace("{count}", draws);
      text.textContent = fill(matches === 1 ? summary.dataset.textOne : summary.dataset.textMany);
      warning.hidden = draws <= matches;
      warning.textContent = draws > matches ? fill(summary.dataset.warning) : "";
    };
    boxes.forEach((box) => box.addEventListener("change", update));
    count.addEventListener("input", update);
    update();
  });
})();
