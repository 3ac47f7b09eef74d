// The song page brings itself up to date when the song's analysis finishes: status.js updates
// the status element, and once it reads done or failed the page is fetched again (through the
// player's navigation when it is there, so that the music goes on).
(() => {
  "use strict";
  const root = document.querySelector("[data-song-live]");
  if (!root) return;
  const status = root.querySelector("[data-song-status]");
  const FINISHED = new Set(["done", "failed"]);
  if (!status || FINISHED.has(status.dataset.status)) return;
  const observer = new MutationObserver(() => {
    if (!FINISHED.has(status.dataset.status)) return;
    observer.disconnect();
    if (window.timbrePlayer) window.timbrePlayer.reload();
    else window.location.reload();
  });
  observer.observe(status, { attributes: true, attributeFilter: ["data-status"] });
})();
