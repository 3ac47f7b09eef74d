// Teach Timbre: follow a "Retrain now" run until it ends (the page's #training-status).
(function () {
  const status = document.getElementById("training-status");
  if (!status || !status.dataset.running) return;
  const poll = () => fetch(status.dataset.url, {credentials: "same-origin"})
    .then((r) => r.json())
    .then((run) => {
      if (run.finished) {
        status.textContent = run.message;
        status.dataset.state = run.outcome;
        return;
      }
      status.textContent = "Training: " + (run.progress || "queued");
      setTimeout(poll, 1000);
    })
    .catch(() => setTimeout(poll, 3000));
  poll();
})();
