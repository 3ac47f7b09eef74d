// The player bar: one <audio> element that keeps playing while the user moves between pages.
//
// - Navigation: same-origin link clicks and form submissions are fetched and only the page's
//   <header> and <main> are swapped (history API), so the player bar and its <audio> are never
//   reloaded. Anything unusual (another origin, a download, admin, a non-HTML answer) falls back
//   to the browser. Page scripts are run again after a swap (like.js guards against running twice).
// - Queue: play buttons ([data-play]) replace the queue with their list from that song on;
//   [data-enqueue] appends; [data-radio] starts a song radio, [data-mix] a mix, [data-path] a path
//   (all three fetched from the JSON API). Next, previous, reorder, remove, clear, save as a
//   playlist. The queue survives a full reload in sessionStorage.
// - Radio: when two songs are left, the next ones are fetched with what was played and skipped.
//   "Not for me" records the dislike and asks the radio again for everything after the current
//   song, so the disliked song's neighbours leave the queue.
// - Plays: each song left or finished is recorded with how far it was heard.
// - Keyboard: Space play/pause, Shift+→ / Shift+← next / previous, ← / → seek 10 s,
//   D not for me (never while typing in a field). Media Session metadata and actions.
// Text from the server is written with textContent only.
(() => {
  "use strict";
  const bar = document.querySelector("[data-player]");
  if (!bar || window.timbrePlayer) return;
  const audio = bar.querySelector("audio");
  const $ = (selector) => bar.querySelector(selector);
  const STORE = "timbre.player";
  const REFILL_AT = 2; // radio songs left in the queue when more are fetched
  const RADIO_BATCH = 8;
  const api = bar.dataset;

  const state = { queue: [], index: -1, radio: null, startedAt: 0 };

  // --- persistence -------------------------------------------------------------------------------

  const save = () => {
    try {
      sessionStorage.setItem(STORE, JSON.stringify({
        queue: state.queue, index: state.index, radio: state.radio, time: audio.currentTime || 0,
      }));
    } catch (error) { /* private mode or full storage: the queue lives for this page only */ }
  };
  const restore = () => {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
      if (!saved || !Array.isArray(saved.queue)) return;
      state.queue = saved.queue;
      state.radio = saved.radio;
      if (saved.index >= 0 && saved.index < state.queue.length) {
        load(saved.index, { autoplay: false, at: saved.time || 0 });
      }
      render();
    } catch (error) { sessionStorage.removeItem(STORE); }
  };

  // --- server calls -------------------------------------------------------------------------------

  const call = async (url, method, body) => {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json",
        "X-CSRFToken": api.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status}`);
    return response.status === 204 ? null : response.json();
  };
  const songUrl = (template, id) => template.replace("/0/", `/${id}/`);
  const entry = (song, extra) => ({
    id: song.id, title: song.title, artist: song.artist || "",
    url: song.url, audio: songUrl(api.audioUrl, song.id), reason: (extra && extra.reason) || "",
    source: (extra && extra.source) || "list",
  });

  // --- playing -------------------------------------------------------------------------------------

  const current = () => state.queue[state.index];

  const recordPlay = () => {
    const song = current();
    if (!song || !state.startedAt) return;
    state.startedAt = 0;
    const seconds = audio.currentTime || 0;
    song.heard = seconds;
    if (seconds < 30 && !audio.ended) song.skipped = true;
    call(api.playsUrl, "POST", { song: song.id, seconds_played: seconds, context: song.source })
      .catch(() => {});
  };

  const load = (index, { autoplay = true, at = 0 } = {}) => {
    if (index < 0 || index >= state.queue.length) return;
    if (index !== state.index) recordPlay();
    state.index = index;
    const song = current();
    if (audio.dataset.songId !== String(song.id)) {
      audio.src = song.audio;
      audio.dataset.songId = String(song.id);
      if (at) audio.addEventListener("loadedmetadata", () => { audio.currentTime = at; }, { once: true });
    }
    bar.hidden = false;
    if (autoplay) {
      state.startedAt = Date.now();
      audio.play().catch(() => {});
    }
    if ("mediaSession" in navigator && window.MediaMetadata) {
      navigator.mediaSession.metadata = new MediaMetadata({
        title: song.title, artist: song.artist, album: state.radio ? "Timbre radio" : "Timbre",
      });
    }
    render();
    save();
    refill();
  };

  const next = () => {
    if (state.index + 1 < state.queue.length) load(state.index + 1);
    else { recordPlay(); audio.pause(); refill(); }
  };
  const previous = () => {
    if (audio.currentTime > 5 || state.index <= 0) { audio.currentTime = 0; return; }
    load(state.index - 1);
  };
  const toggle = () => {
    if (!current() && state.queue.length) { load(0); return; }
    if (audio.paused) { state.startedAt = state.startedAt || Date.now(); audio.play().catch(() => {}); }
    else audio.pause();
  };

  const play = (songs, index = 0, radio = null) => {
    recordPlay();
    state.queue = songs;
    state.radio = radio;
    state.index = -1;
    audio.dataset.songId = "";
    load(index);
  };

  // --- radio, mixes, paths ---------------------------------------------------------------------------

  const radioHistory = () => state.queue.slice(0, state.index + 1).map((song) => song.id)
    .filter((id) => id !== state.radio.seed);
  const radioAsk = async () => {
    const played = state.queue.slice(0, state.index + 1);
    const upcoming = state.queue.slice(state.index + 1);
    const body = await call(api.radioUrl, "POST", {
      seed: state.radio.seed,
      history: [...radioHistory(), ...upcoming.map((song) => song.id)],
      skipped: played.filter((song) => song.skipped).map((song) => song.id),
      count: RADIO_BATCH,
    });
    return body.items.map((item) => entry(item.song, { reason: `${item.match} · ${item.reason}`, source: "radio" }));
  };
  let refilling = false;
  const refill = async () => {
    if (!state.radio || refilling) return;
    if (state.queue.length - state.index - 1 > REFILL_AT) return;
    refilling = true;
    try {
      const more = await radioAsk();
      state.queue.push(...more);
      render(); save();
    } catch (error) { /* offline: try again at the next song */ } finally { refilling = false; }
  };
  // After "not for me": everything after the current song is asked for again.
  const reshuffle = async () => {
    if (!state.radio) return;
    state.queue = state.queue.slice(0, state.index + 1);
    refilling = true;
    try {
      state.queue.push(...await radioAsk());
    } catch (error) { /* keep what is left */ } finally { refilling = false; }
    render(); save();
  };

  const startRadio = async (button) => {
    const seed = Number(button.dataset.radio);
    state.radio = { seed };
    const first = entry({ id: seed, title: button.dataset.title, artist: button.dataset.artist,
      url: button.dataset.url }, { reason: "radio seed", source: "radio" });
    play([first], 0, { seed });
    await refill();
  };

  const startMix = async (button) => {
    const seeds = button.dataset.mix.split(",").filter(Boolean).map(Number);
    const body = await call(api.mixUrl, "POST", { seeds, limit: 30 });
    play(body.items.map((item) => entry(item.song, { reason: `${item.match} · ${item.reason}`, source: "mix" })));
  };

  const startPath = async (button) => {
    const query = new URLSearchParams({ start: button.dataset.pathStart, end: button.dataset.pathEnd,
      steps: button.dataset.pathSteps || "10" });
    const body = await call(`${api.pathUrl}?${query}`, "GET");
    play(body.steps.map((step, n) => entry(step.song, {
      reason: step.similarity === null ? "start" : `step ${n}: ${Math.round(step.similarity * 100)} % like the one before`,
      source: "path",
    })));
  };

  // --- not for me ----------------------------------------------------------------------------------

  const dislike = async (index) => {
    const song = state.queue[index];
    if (!song) return;
    try {
      await call(songUrl(api.dislikeUrl, song.id), "PUT");
    } catch (error) { return; }
    announce(`“${song.title}” is not for you: it and songs like it go down.`);
    if (index === state.index) {
      song.skipped = true;
      await reshuffle();
      next();
    } else {
      state.queue.splice(index, 1);
      if (index < state.index) state.index -= 1;
      await reshuffle();
    }
  };

  // --- the bar -------------------------------------------------------------------------------------

  const announce = (text) => { $("[data-player-status]").textContent = text; };
  const time = (seconds) => {
    if (!Number.isFinite(seconds)) return "0:00";
    const s = Math.floor(seconds);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  };

  const button = (label, action, index, title) => {
    const el = document.createElement("button");
    el.type = "button";
    el.className = "link";
    el.textContent = label;
    el.dataset.queueAction = action;
    el.dataset.index = String(index);
    el.title = title;
    el.setAttribute("aria-label", title);
    return el;
  };

  const render = () => {
    const song = current();
    const title = $("[data-now-title]");
    title.textContent = song ? song.title : "Nothing playing";
    title.href = song ? song.url : "#";
    $("[data-now-artist]").textContent = song ? song.artist : "";
    $("[data-now-reason]").textContent = song ? song.reason : "";
    $("[data-queue-count]").textContent = String(Math.max(state.queue.length - state.index - 1, 0));
    $("[data-mode]").textContent = state.radio ? "Radio" : "";
    const list = $("[data-queue-list]");
    list.replaceChildren(...state.queue.map((item, index) => {
      const li = document.createElement("li");
      li.dataset.songId = String(item.id);
      if (index === state.index) li.setAttribute("aria-current", "true");
      if (index < state.index) li.className = "played";
      const name = document.createElement("button");
      name.type = "button";
      name.className = "link queue-title";
      name.dataset.queueAction = "play";
      name.dataset.index = String(index);
      name.textContent = item.artist ? `${item.title} — ${item.artist}` : item.title;
      const reason = document.createElement("span");
      reason.className = "muted small";
      reason.textContent = item.reason;
      li.append(name, " ", reason, " ",
        button("↑", "up", index, `Move ${item.title} up`),
        button("↓", "down", index, `Move ${item.title} down`),
        button("✕", "remove", index, `Remove ${item.title} from the queue`),
        button("Not for me", "dislike", index, `${item.title} is not for me`));
      return li;
    }));
    $("[data-action=toggle]").textContent = audio.paused ? "▶" : "❚❚";
    $("[data-action=toggle]").setAttribute("aria-label", audio.paused ? "Play" : "Pause");
  };

  const move = (index, by) => {
    const to = index + by;
    if (to < 0 || to >= state.queue.length) return;
    const [item] = state.queue.splice(index, 1);
    state.queue.splice(to, 0, item);
    if (state.index === index) state.index = to;
    else if (state.index === to) state.index = index;
    render(); save();
  };
  const remove = (index) => {
    state.queue.splice(index, 1);
    if (index < state.index) state.index -= 1;
    else if (index === state.index) {
      audio.dataset.songId = "";
      state.startedAt = 0;
      if (state.index < state.queue.length) load(state.index);
      else { state.index = state.queue.length - 1; audio.pause(); }
    }
    render(); save();
  };
  const clear = () => {
    recordPlay();
    audio.pause();
    audio.removeAttribute("src");
    audio.dataset.songId = "";
    state.queue = []; state.index = -1; state.radio = null;
    render(); save();
  };

  const saveAsPlaylist = async () => {
    const input = $("[data-playlist-name]");
    const name = input.value.trim() || (state.radio ? `Radio from ${state.queue[0].title}` : "My queue");
    try {
      const playlist = await call(api.playlistsUrl, "POST", {
        name, songs: state.queue.map((song) => song.id),
        notes: state.queue.map((song) => song.reason.slice(0, 200)),
        kind: state.radio ? "radio" : "queue",
      });
      const link = $("[data-saved-link]");
      link.href = songUrl(api.playlistPageUrl, playlist.id);
      link.textContent = `Saved as “${playlist.name}”: open it`;
      link.hidden = false;
      input.value = "";
    } catch (error) { announce("Could not save the queue; try again."); }
  };

  bar.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action], [data-queue-action]");
    if (!target) return;
    const index = Number(target.dataset.index);
    switch (target.dataset.action || target.dataset.queueAction) {
      case "toggle": toggle(); break;
      case "next": next(); break;
      case "previous": previous(); break;
      case "dislike": dislike(state.index); break;
      case "queue": {
        const panel = $("[data-queue-panel]");
        panel.hidden = !panel.hidden;
        target.setAttribute("aria-expanded", String(!panel.hidden));
        break;
      }
      case "clear": clear(); break;
      case "save": saveAsPlaylist(); break;
      case "play": load(index); break;
      case "up": move(index, -1); break;
      case "down": move(index, 1); break;
      case "remove": remove(index); break;
      default: break;
    }
  });
  const seek = $("[data-seek]");
  seek.addEventListener("input", () => {
    if (Number.isFinite(audio.duration)) audio.currentTime = (seek.value / 1000) * audio.duration;
  });
  audio.addEventListener("timeupdate", () => {
    if (Number.isFinite(audio.duration) && audio.duration > 0) {
      seek.value = String(Math.round((audio.currentTime / audio.duration) * 1000));
    }
    $("[data-time]").textContent = `${time(audio.currentTime)} / ${time(audio.duration)}`;
  });
  audio.addEventListener("ended", () => { recordPlay(); next(); });
  audio.addEventListener("play", render);
  audio.addEventListener("pause", () => { render(); save(); });

  // --- play buttons on the pages ---------------------------------------------------------------------

  const fromButton = (el) => entry(
    { id: Number(el.dataset.play || el.dataset.enqueue), title: el.dataset.title,
      artist: el.dataset.artist, url: el.dataset.url },
    { reason: el.dataset.reason || "", source: el.dataset.source || "list" },
  );
  document.addEventListener("click", (event) => {
    const el = event.target.closest("[data-play], [data-enqueue], [data-radio], [data-mix], [data-path-start]");
    if (!el || bar.contains(el)) return;
    event.preventDefault();
    if (el.dataset.play) {
      const scope = el.closest("[data-play-list]") || el.parentElement;
      const buttons = [...scope.querySelectorAll("[data-play]")];
      const songs = buttons.map(fromButton);
      play(songs, Math.max(buttons.indexOf(el), 0));
    } else if (el.dataset.enqueue) {
      state.queue.push(fromButton(el));
      if (state.index < 0) load(state.queue.length - 1); else { render(); save(); }
      announce(`Queued “${el.dataset.title}”.`);
    } else if (el.dataset.radio) startRadio(el).catch(() => announce("The radio could not start."));
    else if (el.dataset.mix) startMix(el).catch(() => announce("The mix could not start."));
    else startPath(el).catch(() => announce("No path could be found."));
  });

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === " " && !event.target.closest("button, a")) { event.preventDefault(); toggle(); }
    else if (event.key === "ArrowRight" && event.shiftKey) { event.preventDefault(); next(); }
    else if (event.key === "ArrowLeft" && event.shiftKey) { event.preventDefault(); previous(); }
    else if (event.key === "ArrowRight") audio.currentTime += 10;
    else if (event.key === "ArrowLeft") audio.currentTime = Math.max(audio.currentTime - 10, 0);
    else if (event.key === "d" || event.key === "D") dislike(state.index);
  });

  if ("mediaSession" in navigator) {
    const actions = { play: toggle, pause: toggle, nexttrack: next, previoustrack: previous };
    Object.entries(actions).forEach(([action, handler]) => {
      try { navigator.mediaSession.setActionHandler(action, handler); } catch (error) { /* unsupported */ }
    });
  }

  // --- navigation without reloading the player ----------------------------------------------------------

  const swappable = (url) => url.origin === location.origin
    && !/^\/(admin|api|accounts\/logout)\b/.test(url.pathname)
    && !/\/(audio|spectrogram\.png|export\.\w+)\/?$/.test(url.pathname);

  const runScripts = (doc) => {
    doc.querySelectorAll("[data-page-scripts] script[src]").forEach((old) => {
      const script = document.createElement("script");
      script.src = old.src;
      document.body.appendChild(script);
      script.addEventListener("load", () => script.remove());
    });
  };

  const swap = (html, url, push) => {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const main = doc.querySelector("main");
    if (!main || !doc.querySelector("[data-player]")) return false;
    document.querySelector("main").replaceWith(main);
    const header = doc.querySelector("header.topbar");
    if (header) document.querySelector("header.topbar").replaceWith(header);
    document.title = doc.title;
    if (push === "push") history.pushState({ timbre: true }, "", url);
    else if (push === "replace") history.replaceState({ timbre: true }, "", url);
    if (push === "push") window.scrollTo(0, 0);
    runScripts(doc);
    document.dispatchEvent(new CustomEvent("timbre:navigated"));
    return true;
  };

  const navigate = async (url, { method = "GET", body = null, push = "push" } = {}) => {
    try {
      const response = await fetch(url, {
        method, body, credentials: "same-origin", headers: { "X-Timbre-Navigation": "1" },
      });
      const type = response.headers.get("Content-Type") || "";
      if (!type.startsWith("text/html")) throw new Error("not a page");
      const finalUrl = new URL(response.url);
      if (!swappable(finalUrl)) throw new Error("not ours");
      const landed = response.redirected || method !== "GET" ? finalUrl.href : url;
      if (!swap(await response.text(), landed, push)) throw new Error("not a Timbre page");
    } catch (error) {
      if (method === "GET") location.assign(url);
      else throw error;
    }
  };
  window.timbrePlayer = { navigate, reload: () => navigate(location.href, { push: "replace" }) };

  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download") || link.dataset.noSwap !== undefined) return;
    const url = new URL(link.href, location.href);
    if (!swappable(url)) return;
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
    event.preventDefault();
    navigate(url.href);
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || form.matches("[data-like-form], [data-no-swap]")) return;
    const url = new URL(form.action || location.href, location.href);
    if (!swappable(url)) return;
    event.preventDefault();
    const method = (form.method || "get").toUpperCase();
    const data = new FormData(form, event.submitter || undefined);
    if (method === "GET") {
      url.search = new URLSearchParams(data).toString();
      navigate(url.href);
    } else {
      navigate(url.href, { method, body: data }).catch(() => form.submit());
    }
  });

  window.addEventListener("popstate", () => navigate(location.href, { push: "none" }));
  window.addEventListener("pagehide", () => { recordPlay(); save(); });

  restore();
  render();
})();
