// Saves answers as the learner goes, so a time limit grades what they had by the deadline,
// and shows a countdown. The server enforces the deadline; this only informs.
(() => {
  const form = document.querySelector(".quiz-form");
  if (!form) return;
  let timer = null;
  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      fetch(form.dataset.saveUrl, { method: "POST", body: new FormData(form), credentials: "same-origin" });
    }, 400);
  });
  const clock = document.querySelector(".timer[data-deadline]");
  if (clock) {
    const deadline = new Date(clock.dataset.deadline).getTime();
    const tick = () => {
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      const minutes = Math.floor(left / 60), seconds = String(left % 60).padStart(2, "0");
      clock.textContent = left ? `Time left: ${minutes}:${seconds}` : "Time is up: your saved answers will be graded.";
      if (left) setTimeout(tick, 1000);
    };
    tick();
  }
})();
