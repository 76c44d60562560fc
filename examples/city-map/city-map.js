// City map: entities of one type near a point, from any city of a caap-gateway federation,
// nearest first. No build step, no library: one GraphQL query, an SVG and a list.
//
// URL parameters: city (required), type (WeatherObserved), lat and lon (the point; the
// centre of the city's entities when absent), radius (metres, 20000), attribute (the value
// listed; the nearest entity's first number when absent), gateway (the page's own origin).

const EARTH_RADIUS_M = 6371008.8;
const METRES_PER_DEGREE = (2 * Math.PI * EARTH_RADIUS_M) / 360;
const SIZE = 600;
const RADIUS_PX = 280;
const SVG = "http://www.w3.org/2000/svg";

const NEAREST = `
query ($city: ID!, $type: String!, $near: NearInput!, $first: Int) {
  city(id: $city) { name platform { kind } }
  entities(type: $type, filter: { cities: [$city], near: $near },
           orderBy: { by: DISTANCE }, first: $first) {
    nodes { id observedAt location { lat lon } attributes }
    coverage { status message }
  }
}`;

const LOCATIONS = `
query ($city: ID!, $type: String!) {
  entities(type: $type, filter: { cities: [$city] }, first: 500) {
    nodes { location { lat lon } }
    coverage { status message }
  }
}`;

function settings(search) {
  const params = new URLSearchParams(search);
  const number = (name, fallback) => {
    const text = params.get(name);
    if (text === null || text === "") return fallback;
    const value = Number(text);
    if (!Number.isFinite(value)) throw new Error(`URL parameter ${name}: not a number (${text})`);
    return value;
  };
  const city = params.get("city");
  if (!city) throw new Error("URL parameter city is missing, e.g. ?city=malmo");
  return {
    city,
    type: params.get("type") || "WeatherObserved",
    lat: number("lat", null),
    lon: number("lon", null),
    radius: number("radius", 20000),
    attribute: params.get("attribute"),
    gateway: (params.get("gateway") || window.location.origin).replace(/\/+$/, ""),
  };
}

async function graphql(gateway, query, variables) {
  const response = await fetch(`${gateway}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors && body.errors.length > 0) {
    throw new Error(body.errors.map((e) => e.message).join("; "));
  }
  return body.data;
}

function distance(a, b) {
  const rad = Math.PI / 180;
  const dlat = (b.lat - a.lat) * rad;
  const dlon = (b.lon - a.lon) * rad;
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dlon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

function project(point, centre, radius) {
  const scale = (METRES_PER_DEGREE * RADIUS_PX) / radius;
  const x = SIZE / 2 + (point.lon - centre.lon) * Math.cos((centre.lat * Math.PI) / 180) * scale;
  const y = SIZE / 2 - (point.lat - centre.lat) * scale;
  return { x, y };
}

function shownAttribute(nodes, asked) {
  if (asked) return asked;
  for (const node of nodes) {
    for (const [name, value] of Object.entries(node.attributes)) {
      if (typeof value === "number") return name;
    }
  }
  return null;
}

function formatted(value) {
  if (value === undefined || value === null) return "–";
  if (typeof value === "number") return String(Math.round(value * 100) / 100);
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function kilometres(metres) {
  return metres < 1000 ? `${Math.round(metres)} m` : `${(metres / 1000).toFixed(1)} km`;
}

function draw(nodes, centre, radius, attribute) {
  const points = document.getElementById("points");
  const list = document.getElementById("list");
  points.replaceChildren();
  list.replaceChildren();
  nodes.forEach((node, index) => {
    const label = String(index + 1);
    const away = distance(centre, node.location);
    const at = project(node.location, centre, radius);
    const group = document.createElementNS(SVG, "g");
    group.setAttribute("class", "point");
    group.dataset.id = node.id;
    const dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("cx", at.x.toFixed(1));
    dot.setAttribute("cy", at.y.toFixed(1));
    dot.setAttribute("r", "6");
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${label}. ${node.id}`;
    dot.append(title);
    const text = document.createElementNS(SVG, "text");
    text.setAttribute("x", (at.x + 8).toFixed(1));
    text.setAttribute("y", (at.y + 4).toFixed(1));
    text.textContent = label;
    group.append(dot, text);
    points.append(group);

    const item = document.createElement("li");
    item.dataset.id = node.id;
    item.dataset.distance = String(Math.round(away));
    const value = document.createElement("span");
    value.className = "value";
    value.textContent = attribute ? `${attribute} ${formatted(node.attributes[attribute])}` : node.id;
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = `${kilometres(away)} · ${node.id}${node.observedAt ? ` · ${node.observedAt}` : ""}`;
    item.append(value, meta);
    list.append(item);
  });
  document.getElementById("scale").textContent = `circle: ${kilometres(radius)}`;
}

async function centreOf(options) {
  const data = await graphql(options.gateway, LOCATIONS, { city: options.city, type: options.type });
  const located = data.entities.nodes.filter((n) => n.location !== null);
  if (located.length === 0) throw new Error(`${options.city} shows no ${options.type} with a location`);
  const sum = located.reduce((s, n) => ({ lat: s.lat + n.location.lat, lon: s.lon + n.location.lon }), { lat: 0, lon: 0 });
  return { lat: sum.lat / located.length, lon: sum.lon / located.length };
}

function report(state, text) {
  const status = document.getElementById("status");
  status.dataset.state = state;
  status.textContent = text;
}

async function main() {
  const options = settings(window.location.search);
  const centre =
    options.lat !== null && options.lon !== null ? { lat: options.lat, lon: options.lon } : await centreOf(options);
  const data = await graphql(options.gateway, NEAREST, {
    city: options.city,
    type: options.type,
    near: { lat: centre.lat, lon: centre.lon, maxDistance: options.radius },
    first: 50,
  });
  if (data.city === null) throw new Error(`no city ${options.city} in this federation`);
  const answer = data.entities;
  const trouble = answer.coverage.find((c) => c.status !== "OK");
  if (trouble) throw new Error(`${data.city.name}: ${trouble.status} ${trouble.message || ""}`);
  const nodes = answer.nodes.filter((n) => n.location !== null);
  const attribute = shownAttribute(nodes, options.attribute);
  document.getElementById("title").textContent = `${options.type} near ${centre.lat.toFixed(4)}, ${centre.lon.toFixed(4)} in ${data.city.name}`;
  draw(nodes, centre, options.radius, attribute);
  const status = document.getElementById("status");
  status.dataset.count = String(nodes.length);
  status.dataset.kind = data.city.platform.kind;
  report("ready", `${nodes.length} within ${kilometres(options.radius)}, nearest first · ${data.city.name}'s platform: ${data.city.platform.kind}`);
}

main().catch((error) => report("error", error.message));
