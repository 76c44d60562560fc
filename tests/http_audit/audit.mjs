// Runs every graphql-http server audit against one GraphQL endpoint and prints the
// results as one JSON document on stdout: {"results": [{id, name, status, reason}]}.
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const results = [];
for (const { id, name, fn } of serverAudits({ url })) {
  const result = await fn();
  results.push({ id, name, status: result.status, reason: result.reason ?? null });
}
process.stdout.write(JSON.stringify({ results }) + '\n');
