// Load for the live bench: CONNECTIONS graphql-transport-ws connections holding PER subscriptions
// each. Prints {"ready":...} once every subscription is sent, {"started":...} at the first event,
// then, DURATION_MS later, {"events":N, "p50":ms, "p99":ms, "ended":K} over a sample of the
// delays (receipt - receivedAt, ms).
// usage: node load.mjs URL QUERY VARIABLES_JSON CONNECTIONS PER DURATION_MS
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, query, variablesJson, connectionsText, perText, durationText] = process.argv.slice(2);
const variables = JSON.parse(variablesJson);
const connections = Number(connectionsText);
const per = Number(perText);
const duration = Number(durationText);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const SAMPLE = 200000;
const delays = [];
let events = 0;
let started = 0;
let ended = 0;

function received(value) {
  if (value?.errors) ended += 1; // the gateway ended it (too slow), with a reason
  const event = value?.data?.entityChanges;
  if (!event || event.__typename !== "EntityChanged") return;
  const now = Date.now();
  if (!started) {
    started = now;
    print({ started: now });
    setTimeout(() => {
      const sorted = delays.slice().sort((a, b) => a - b);
      const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
      const summary = { events, seconds: (Date.now() - started) / 1000, p50: at(0.5), p99: at(0.99), ended };
      process.stdout.write(JSON.stringify(summary) + "\n", () => process.exit(0));
    }, duration);
  }
  events += 1;
  const delay = now - Date.parse(event.receivedAt);
  if (delays.length < SAMPLE) delays.push(delay);
  else {
    const slot = Math.floor(Math.random() * events); // reservoir sampling
    if (slot < SAMPLE) delays[slot] = delay;
  }
}

for (let c = 0; c < connections; c++) {
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  for (let n = 0; n < per; n++) {
    client.subscribe(
      { query, variables },
      {
        next: received,
        error: (e) => print({ error: String(e?.message ?? e?.reason ?? e) }),
        complete: () => {},
      },
    );
  }
}
print({ ready: connections * per });
