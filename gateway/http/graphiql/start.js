// Starts GraphiQL (UMD globals React, ReactDOM, GraphiQL) against this gateway's /graphql.
"use strict";

const DEFAULT_QUERY = `# caap-gateway: one GraphQL API over every city's IoT platform.
# Ctrl-Enter runs the query; Ctrl-Space completes; the Docs panel shows the schema.
# Add an Authorization header (Headers, below) to see what your token may see.

{
  cities {
    id
  }
}
`;

const endpoint = new URL("graphql", window.location.href).toString();
const fetcher = GraphiQL.createFetcher({ url: endpoint });

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: DEFAULT_QUERY,
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  }),
);
