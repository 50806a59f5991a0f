// Run-time configuration, served by the web server as /config.json (never baked into the build),
// so one build runs against any gateway.
export type SubscriptionTransport = 'ws' | 'http';

export interface AppConfig {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  gatewayUrl: string;
  /**
   * How subscriptions travel: `ws` (graphql-transport-ws, Hive Gateway) or `http`
   * (multipart HTTP, Apollo Router).
   */
  subscriptions: SubscriptionTransport;
}

export function parseConfig(raw: unknown, base: string): AppConfig {
  const data = (raw ?? {}) as Record<string, unknown>;
  const gatewayUrl = new URL(String(data.gatewayUrl ?? '/graphql'), base).toString();
  const subscriptions = data.subscriptions === 'http' ? 'http' : 'ws';
  return { gatewayUrl, subscriptions };
}

/** The WebSocket URL of a gateway's HTTP endpoint (same host and path). */
export function websocketUrl(gatewayUrl: string): string {
  const url = new URL(gatewayUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return parseConfig(await response.json(), window.location.href);
}
