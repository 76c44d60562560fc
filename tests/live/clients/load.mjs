// Load for the live bench (bench/live.py): CONNECTIONS WebSockets speaking graphql-transport-ws
// by hand (a lean client: an event is read with three regular expressions), PER subscriptions each.
// Prints {"ready":N} once every subscription is sent, {"started":ms} when a line arrives on
// stdin (the bench's go: the gateway holds every subscription), then, DURATION_MS later,
// {"events":N, "seconds":s, "cpu_s":its CPU seconds, "ended":K, "total":[...], "gateway":[...],
// "platform":[...]}: samples of the delays in ms (reservoir, at most SAMPLE each), sorted.
//   total:    receipt - the platform's publish instant (TIMING: the instant is
//             ceil(observedAt / bucket_s) * bucket_s + offsets[city], citysim --stagger)
//   gateway:  receipt - receivedAt (the gateway's receipt of the change)
//   platform: receivedAt - the publish instant
// usage: node load.mjs URL QUERY VARIABLES_JSON CONNECTIONS PER DURATION_MS TIMING_JSON
import WebSocket from "ws";

const [url, query, variablesJson, connectionsText, perText, durationText, timingJson] =
  process.argv.slice(2);
const variables = JSON.parse(variablesJson);
const connections = Number(connectionsText);
const per = Number(perText);
const duration = Number(durationText);
const timing = JSON.parse(timingJson ?? "null");
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const SAMPLE = 50000;

class Reservoir {
  constructor() {
    this.values = [];
    this.seen = 0;
  }
  add(value) {
    this.seen += 1;
    if (this.values.length < SAMPLE) this.values.push(value);
    else {
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < SAMPLE) this.values[slot] = value;
    }
  }
  sorted() {
    return this.values.slice().sort((a, b) => a - b);
  }
}

const total = new Reservoir();
const gateway = new Reservoir();
const platform = new Reservoir();
let events = 0;
let started = 0;
let ended = 0;
let subscribed = 0;
let cpuAtStart = null;

function publishedAt(observed, city) {
  if (!timing) return NaN;
  const bucket = timing.bucket_s * 1000;
  return Math.ceil(observed / bucket) * bucket + timing.offsets[city] * 1000;
}

function finish() {
  const summary = {
    events,
    seconds: (Date.now() - started) / 1000,
    cpu_s: (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(cpuAtStart)),
    ended,
    total: total.sorted(),
    gateway: gateway.sorted(),
    platform: platform.sorted(),
  };
  process.stdout.write(JSON.stringify(summary) + "\n", () => process.exit(0));
}

const RECEIVED_AT = /"receivedAt":"([^"]+)"/;
const CITY = /"city":\{"id":"([^"]+)"/;
const OBSERVED_AT = /"observedAt":"([^"]+)"/;

function received(text) {
  // an event is read with three regular expressions, not parsed: the client stays cheap
  if (!started) return; // not measuring yet
  const now = Date.now();
  events += 1;
  const receivedAt = Date.parse(text.match(RECEIVED_AT)[1]);
  const published = publishedAt(Date.parse(text.match(OBSERVED_AT)[1]), text.match(CITY)[1]);
  total.add(now - published);
  gateway.add(now - receivedAt);
  platform.add(receivedAt - published);
}

// the bench writes a line on stdin once the gateway holds every subscription: measuring begins
process.stdin.once("data", () => {
  started = Date.now();
  cpuAtStart = process.cpuUsage();
  print({ started });
  setTimeout(finish, duration);
});

const OPENING = 50; // handshakes under way at once
let opened = 0;

function open() {
  if (opened >= connections) return;
  opened += 1;
  const socket = new WebSocket(url.replace(/^http/, "ws"), "graphql-transport-ws", {
    perMessageDeflate: false,
  });
  socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init" })));
  socket.on("message", (data) => {
    const text = data.toString();
    if (text.includes('"__typename":"EntityChanged"')) {
      received(text);
      return;
    }
    const message = JSON.parse(text);
    if (message.type === "connection_ack") {
      for (let n = 0; n < per; n++) {
        socket.send(JSON.stringify({ id: String(n), type: "subscribe", payload: { query, variables } }));
      }
      subscribed += per;
      open();
      if (subscribed === connections * per) print({ ready: subscribed });
    } else if (message.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else if (message.type === "error" || message.payload?.errors) {
      ended += 1; // the gateway ended it (too slow, say), with a reason
    }
  });
  socket.on("error", (e) => print({ error: String(e?.message ?? e) }));
}

for (let c = 0; c < OPENING; c++) open();
