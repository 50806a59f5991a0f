// Apollo's JavaScript gateway (@apollo/gateway, the query planner Apollo Router's was ported
// from) serving a supergraph file, for the e2e tests: a query plan that only Hive Gateway gets
// right cannot hide. None of the edge rules of edge/ run here (the subgraphs still verify
// every token); subscriptions are Hive Gateway's only (Apollo Gateway has none).
//
// Env: SUPERGRAPH_PATH (required), APOLLO_GATEWAY_PORT (4010), APOLLO_GATEWAY_HOST (127.0.0.1).
// Serves POST /graphql (any path, in fact: the standalone server ignores it). The client's
// Authorization and X-Correlation-Id headers go to every subgraph request, as at the edge.
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const FORWARDED = ['authorization', 'x-correlation-id'];

class ForwardingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    for (const name of FORWARDED) {
      const value = context.headers?.[name];
      if (typeof value === 'string') request.http.headers.set(name, value);
    }
  }
}

const supergraphPath = process.env.SUPERGRAPH_PATH;
if (!supergraphPath) {
  console.error('SUPERGRAPH_PATH must name the supergraph file');
  process.exit(2);
}
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphPath, 'utf8'),
  buildService: ({ url }) => new ForwardingDataSource({ url }),
});
const server = new ApolloServer({
  gateway,
  includeStacktraceInErrorResponses: false,
  // Apollo Server's own CSRF prevention is on by default; kept on.
  csrfPrevention: true,
});
const { url } = await startStandaloneServer(server, {
  listen: {
    port: Number(process.env.APOLLO_GATEWAY_PORT || 4010),
    host: process.env.APOLLO_GATEWAY_HOST || '127.0.0.1',
  },
  context: async ({ req }) => ({ headers: req.headers }),
});
console.log(`Apollo Gateway ready at ${url}`);
