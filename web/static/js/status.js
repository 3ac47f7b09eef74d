// Live song status: every element [data-song-status="<id>"] on the page is refreshed from the
// status endpoint (the data-status-url of the page's container) every 2 s until each song is done
// or failed. Values are written with textContent only: song text is never parsed as HTML.
(() => {
  "use strict";
  const root = document.querySelector("[data-status-url]");
  if (!root) return;
  const url = root.dataset.statusUrl;
  const FINISHED = new Set(["done", "failed", "gone"]);
  const INTERVAL_MS = 2000;
  const RETRY_MS = 10000; // after a failed request (server restarting, network down)

  const each = (kind, id, fn) =>
    document.querySelectorAll(`[data-song-${kind}="${id}"]`).forEach(fn);

  const unfinished = () => {
    const ids = new Set();
    document.querySelectorAll("[data-song-status]").forEach((el) => {
      if (!FINISHED.has(el.dataset.status)) ids.add(el.dataset.songStatus);
    });
    return [...ids];
  };

  const show = (song) => {
    each("status", song.id, (el) => {
      el.textContent = song.status_label;
      el.className = `status status-${song.status}`;
      el.dataset.status = song.status;
    });
    each("error", song.id, (el) => {
      el.textContent = song.status === "failed" ? song.error_message : "";
    });
    each("genre", song.id, (el) => {
      el.textContent = song.predicted_genre || "—";
    });
  };

  const poll = async () => {
    const ids = unfinished();
    if (ids.length === 0) return;
    try {
      const response = await fetch(`${url}?ids=${ids.join(",")}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const songs = await response.json();
      songs.forEach(show);
      // A song missing from the answer was deleted: stop asking about it.
      const seen = new Set(songs.map((song) => String(song.id)));
      ids.filter((id) => !seen.has(id)).forEach((id) =>
        each("status", id, (el) => { el.dataset.status = "gone"; }));
      window.setTimeout(poll, INTERVAL_MS);
    } catch (error) {
      window.setTimeout(poll, RETRY_MS);
    }
  };

  window.setTimeout(poll, INTERVAL_MS);
})();
