// Like buttons without a page reload: each [data-like-form] is posted with fetch (its CSRF token
// travels in the form data) and flipped between like and unlike. Without this script, or when
// the request fails, the form posts normally and the server redirects back.
(() => {
  "use strict";
  // player.js runs page scripts again after swapping a page in: listen once.
  if (window.timbreLikeReady) return;
  window.timbreLikeReady = true;
  const show = (form, liked) => {
    form.dataset.liked = String(liked);
    form.action = liked ? form.dataset.unlikeUrl : form.dataset.likeUrl;
    const button = form.querySelector("button");
    button.classList.toggle("liked", liked);
    button.setAttribute("aria-pressed", String(liked));
    button.textContent = liked ? "♥ Liked" : "♡ Like";
  };

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-like-form]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const answer = await response.json();
      // The same song may be listed twice on a page (the song itself and a similar song).
      document.querySelectorAll("[data-like-form]").forEach((other) => {
        if (other.dataset.likeUrl === form.dataset.likeUrl) show(other, answer.liked);
      });
    } catch (error) {
      form.submit();
    } finally {
      button.disabled = false;
    }
  });
})();
