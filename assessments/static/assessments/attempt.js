// Saves answers as the learner goes, so a time limit grades what they had by the deadline,
// and shows a countdown. The server enforces the deadline: when it answers a save with 409
// (time is up, or the attempt is already submitted), the page shows its message and submits.
(() => {
  const form = document.querySelector(".quiz-form");
  if (!form) return;
  let timer = null;
  let closing = false;

  const notice = document.createElement("p");
  notice.className = "message message-error";
  notice.setAttribute("role", "alert");
  notice.hidden = true;
  form.before(notice);

  const close = (message) => {
    if (closing) return;
    closing = true;
    notice.textContent = message;
    notice.hidden = false;
    // A moment to read the message; the server grades what was saved in time either way.
    setTimeout(() => form.submit(), 1500);
  };

  const save = async () => {
    const response = await fetch(form.dataset.saveUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (response.status === 409) {
      const body = await response.json().catch(() => ({}));
      close(body.message || "Time is up. Your saved answers are being submitted.");
    }
    return response.status;
  };

  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  });

  const clock = document.querySelector(".timer[data-deadline]");
  if (clock) {
    const deadline = new Date(clock.dataset.deadline).getTime();
    const tick = () => {
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      const minutes = Math.floor(left / 60), seconds = String(left % 60).padStart(2, "0");
      clock.textContent = left ? `Time left: ${minutes}:${seconds}` : "Time is up: your saved answers will be graded.";
      if (left) {
        setTimeout(tick, 1000);
      } else {
        // Ask the server, whose clock is the one that counts: a 409 submits the page; if
        // this device's clock runs fast, ask again shortly.
        const check = () => save()
          .catch(() => 0)
          .then((status) => { if (status !== 409) setTimeout(check, 5000); });
        check();
      }
    };
    tick();
  }
})();
