// The library map: points from data-points-url ({points: [{id, title, artist, genre, x, y, url}]})
// drawn as an SVG scatter plot, coloured by genre. Hover shows the song, a click opens it, and a
// click on a legend entry hides or shows that genre. Song text is only ever set as textContent.
(() => {
  "use strict";
  const root = document.querySelector("[data-map]");
  if (!root) return;
  const legend = document.querySelector("[data-map-legend]");
  const status = root.querySelector("[data-map-status]");
  const SVG = "http://www.w3.org/2000/svg";
  const PAD = 16;
  // Tableau 10: distinct, colour-blind-aware hues; further genres get evenly spread hues.
  const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
  const colour = (index, count) =>
    index < PALETTE.length ? PALETTE[index] : `hsl(${Math.round((360 * index) / count)} 60% 50%)`;
  const node = (name, attributes) => {
    const element = document.createElementNS(SVG, name);
    Object.entries(attributes).forEach(([key, value]) => element.setAttribute(key, value));
    return element;
  };

  const draw = (points) => {
    // Drawn at the container's own size, so a dot is the same size on a phone as on a desktop.
    const WIDTH = Math.max(root.clientWidth - 16, 280);
    const HEIGHT = Math.round(WIDTH * (WIDTH < 600 ? 1.0 : 0.62));
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const scaleX = (x) => PAD + ((x - minX) / (maxX - minX || 1)) * (WIDTH - 2 * PAD);
    const scaleY = (y) => HEIGHT - PAD - ((y - minY) / (maxY - minY || 1)) * (HEIGHT - 2 * PAD);
    const genres = [...new Set(points.map((p) => p.genre))].sort();
    const colours = new Map(genres.map((g, i) => [g, colour(i, genres.length)]));
    const radius = points.length > 1000 ? 3 : points.length > 200 ? 4 : 5.5;

    const svg = node("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", class: "map-svg" });
    const label = node("title", {});
    label.textContent = `${points.length} songs placed by sound`;
    svg.appendChild(label);
    const tooltip = document.createElement("div");
    tooltip.className = "map-tooltip";
    tooltip.hidden = true;

    points.forEach((point) => {
      const link = node("a", { href: point.url, "data-genre": point.genre });
      const dot = node("circle", {
        cx: scaleX(point.x).toFixed(1), cy: scaleY(point.y).toFixed(1), r: radius,
        fill: colours.get(point.genre),
      });
      const title = node("title", {});
      const text = `${point.title}${point.artist ? ` — ${point.artist}` : ""} · ${point.genre.replace(/[-_]/g, " ")}`;
      title.textContent = text;
      dot.appendChild(title);
      link.appendChild(dot);
      link.addEventListener("pointerenter", () => {
        tooltip.textContent = text;
        tooltip.hidden = false;
        const box = root.getBoundingClientRect();
        const at = dot.getBoundingClientRect();
        tooltip.style.left = `${at.left - box.left + at.width / 2}px`;
        tooltip.style.top = `${at.top - box.top}px`;
      });
      link.addEventListener("pointerleave", () => { tooltip.hidden = true; });
      svg.appendChild(link);
    });
    root.replaceChildren(svg, tooltip);

    genres.forEach((genre) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link legend-entry";
      button.setAttribute("aria-pressed", "true");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colours.get(genre);
      const count = points.filter((p) => p.genre === genre).length;
      button.append(swatch, `${genre.replace(/[-_]/g, " ")} (${count})`);
      button.addEventListener("click", () => {
        const shown = button.getAttribute("aria-pressed") !== "true";
        button.setAttribute("aria-pressed", String(shown));
        svg.querySelectorAll("a[data-genre]").forEach((link) => {
          if (link.dataset.genre === genre) link.style.display = shown ? "" : "none";
        });
      });
      item.appendChild(button);
      legend.appendChild(item);
    });
  };

  fetch(root.dataset.pointsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(`status ${response.status}`);
      return response.json();
    })
    .then((data) => {
      if (data.points.length === 0) {
        status.textContent = "No analysed songs to place yet.";
        return;
      }
      draw(data.points);
    })
    .catch(() => { status.textContent = "The map could not be loaded; reload the page to try again."; });
})();
