// The live feed: one graphql-sse subscription (distinct connections mode: a POST asking for
// text/event-stream) to the entity changes of one type; each event flashes its city's dot and
// heads the feed. The type is WeatherObserved unless the page's URL says ?live=Type.
"use strict";

const LIVE_TYPE = new URLSearchParams(location.search).get("live") || "WeatherObserved";
const LIVE_QUERY = `subscription($type: String!) { entityChanges(type: $type) { __typename
  ... on EntityChanged { city { id name } via receivedAt entity { id observedAt } }
  ... on CityStreamChanged { city { id name } state status message } } }`;
const FEED_SIZE = 20;
const liveCounts = {};
window.liveCounts = liveCounts;

function markDot(cityId) {
  const dot = document.querySelector(`circle.city[data-city="${cityId}"]`);
  if (!dot) return;
  dot.dataset.events = String(liveCounts[cityId] || 0);
  dot.classList.remove("pulse");
  void dot.getBBox(); // restart the animation
  dot.classList.add("pulse");
}

function feedLine(event) {
  const feed = document.getElementById("feed");
  const item = document.createElement("li");
  item.dataset.city = event.city.id;
  const time = new Date(event.receivedAt || Date.now()).toLocaleTimeString("sv-SE");
  item.textContent =
    event.__typename === "EntityChanged"
      ? `${time} ${event.city.name}: ${event.entity.id} (${event.via.toLowerCase()})`
      : `${time} ${event.city.name}: stream ${event.state.toLowerCase()} (${event.status})`;
  item.className = event.__typename === "EntityChanged" ? "change" : "stream";
  feed.prepend(item);
  while (feed.children.length > FEED_SIZE) feed.lastElementChild.remove();
}

function received(payload) {
  const event = payload.data && payload.data.entityChanges;
  if (!event) return;
  if (event.__typename === "EntityChanged") {
    liveCounts[event.city.id] = (liveCounts[event.city.id] || 0) + 1;
    markDot(event.city.id);
  }
  feedLine(event);
}

// Server-sent events, read from a fetch body (EventSource cannot POST).
async function listen() {
  const status = document.getElementById("live-status");
  try {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ query: LIVE_QUERY, variables: { type: LIVE_TYPE } }),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    status.textContent = `live: ${LIVE_TYPE}`;
    document.body.dataset.live = "open";
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
        const lines = frame.split(/\r?\n/);
        const kind = (lines.find((l) => l.startsWith("event:")) || "").slice(6).trim();
        const data = lines.filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("");
        if (kind === "next" && data) received(JSON.parse(data));
      }
    }
    status.textContent = "live: ended; reconnecting";
  } catch (error) {
    status.textContent = `live: ${error.message}; reconnecting`;
  }
  document.body.dataset.live = "closed";
  setTimeout(listen, 5000);
}

// renderMap redraws the dots: their counts are put back after each redraw.
new MutationObserver(() => {
  for (const id of Object.keys(liveCounts)) {
    const dot = document.querySelector(`circle.city[data-city="${id}"]`);
    if (dot && dot.dataset.events !== String(liveCounts[id])) dot.dataset.events = String(liveCounts[id]);
  }
}).observe(document.getElementById("dots"), { childList: true });

listen();
