// Subscribes with a reference client and prints each message as one JSON line on stdout.
// usage: node subscribe.mjs ws|sse URL QUERY [VARIABLES_JSON] [TOKEN] [COUNT]
// COUNT subscriptions are opened (each line carries its index as "n"); the test stops us.
import { createClient as createWsClient } from "graphql-ws";
import { createClient as createSseClient } from "graphql-sse";
import WebSocket from "ws";

const [protocol, url, query, variablesJson, token, countText] = process.argv.slice(2);
const variables = JSON.parse(variablesJson || "{}");
const count = Number(countText || "1");
const auth = token ? { Authorization: `Bearer ${token}` } : {};
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const described = (e) =>
  Array.isArray(e)
    ? { errors: e }
    : e && typeof e.code === "number"
      ? { close: { code: e.code, reason: e.reason } }
      : { message: String(e?.message ?? e) };

let client;
if (protocol === "ws") {
  client = createWsClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: auth,
    retryAttempts: 0,
    keepAlive: 5000,
    on: { connected: () => print({ connected: true }) },
  });
} else if (protocol === "sse") {
  client = createSseClient({ url, headers: auth, singleConnection: false, retryAttempts: 0 });
} else {
  throw new Error(`protocol ${protocol}: ws or sse`);
}
for (let n = 0; n < count; n++) {
  client.subscribe(
    { query, variables },
    {
      next: (value) => print({ n, next: value }),
      error: (e) => print({ n, error: described(e) }),
      complete: () => print({ n, complete: true }),
    },
  );
}
