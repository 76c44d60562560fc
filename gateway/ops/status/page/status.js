// The status page: polls /status.json and draws each city on the map and in the table.
// Every city row and dot carries data-city and data-health, for people and for tests.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const HEALTH_TEXT = { up: "up", degraded: "degraded", down: "down", unknown: "not asked yet" };

function ms(value) {
  return value === null || value === undefined ? "–" : `${Math.round(value)} ms`;
}

function ratio(value) {
  return value === undefined ? "–" : `${Math.round(value * 100)} %`;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function renderTable(cities) {
  const body = document.querySelector("#cities tbody");
  const rows = cities.map((city) => {
    const row = document.createElement("tr");
    row.dataset.city = city.id;
    row.dataset.health = city.health;
    cell(row, city.name);
    cell(row, city.kind);
    cell(row, HEALTH_TEXT[city.health] || city.health, `health ${city.health}`);
    cell(row, ms(city.p50Ms), "num");
    cell(row, ms(city.p95Ms), "num");
    cell(row, ratio(city.cacheHitRatio), "num cache");
    const error = cell(row, city.lastError ? city.lastError.message : "", "error");
    if (city.lastError) error.title = `${city.lastError.at}: ${city.lastError.message}`;
    return row;
  });
  body.replaceChildren(...rows);
}

function renderMap(cities) {
  const dots = document.getElementById("dots");
  const circles = cities
    .filter((city) => typeof city.x === "number")
    .map((city) => {
      const dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("cx", city.x);
      dot.setAttribute("cy", city.y);
      dot.setAttribute("r", 6);
      dot.setAttribute("class", `city ${city.health}`);
      dot.dataset.city = city.id;
      dot.dataset.health = city.health;
      const title = document.createElementNS(SVG, "title");
      title.textContent = `${city.name}: ${HEALTH_TEXT[city.health] || city.health}`;
      dot.appendChild(title);
      return dot;
    });
  dots.replaceChildren(...circles);
}

function renderSummary(doc) {
  const summary = document.getElementById("summary");
  if (!doc.ready) {
    summary.textContent = "The federation is not loaded yet.";
    return;
  }
  const counts = {};
  for (const city of doc.cities) counts[city.health] = (counts[city.health] || 0) + 1;
  const parts = ["up", "degraded", "down", "unknown"]
    .filter((h) => counts[h])
    .map((h) => `${counts[h]} ${HEALTH_TEXT[h]}`);
  let text = `${doc.cities.length} cities: ${parts.join(", ")}`;
  if (doc.cacheHitRatio !== undefined) text += ` · cache hits ${ratio(doc.cacheHitRatio)}`;
  text += ` · federation loaded ${doc.federation.loadedAt}`;
  summary.textContent = text;
}

async function poll() {
  let delay = 2000;
  try {
    const response = await fetch("/status.json", { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const doc = await response.json();
    const hasCache =
      doc.cacheHitRatio !== undefined || doc.cities.some((c) => c.cacheHitRatio !== undefined);
    document.body.classList.toggle("no-cache", !hasCache);
    document.body.classList.remove("stale");
    document.body.dataset.loaded = "true";
    renderSummary(doc);
    renderTable(doc.cities);
    renderMap(doc.cities);
  } catch (error) {
    document.body.classList.add("stale");
    document.getElementById("summary").textContent = `The gateway does not answer (${error.message}); retrying.`;
    delay = 5000;
  }
  setTimeout(poll, delay);
}

poll();
