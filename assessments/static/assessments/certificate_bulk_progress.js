// Bulk issue progress: polls the same address for JSON while the worker issues.
// A file rather than an inline script, for the Content Security Policy.
(async () => {
  const bar = document.getElementById("bulk-progress"), status = document.getElementById("bulk-status");
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const response = await fetch(window.location.pathname, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) { status.textContent = "The server answered " + response.status + ". Reload to check again."; return; }
    const p = await response.json();
    bar.max = p.total || 1; bar.value = p.done;
    status.textContent = `${p.finished ? "Done: " : ""}${p.done} of ${p.total} learners handled: ${p.issued} issued, ${p.already_issued} already had one, ${p.not_eligible} no longer eligible, ${p.failed} failed.`;
    if (p.finished) { if (p.failed || p.not_eligible) window.location.reload(); return; }
  }
})();
