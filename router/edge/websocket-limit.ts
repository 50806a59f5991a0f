// WebSocket messages no larger than HTTP bodies (GATEWAY_MAX_BODY_BYTES).
//
// The Hive Gateway CLI creates its WebSocket server itself (the `ws` package) and offers no
// setting for its message limit, which stays at ws's 100 MiB: a 20 MB `subscribe` message was
// read, parsed and answered. Every upgrade goes through `WebSocketServer.handleUpgrade`, so the
// limit is lowered there, for every server of this process, before the socket is set up; a
// larger message then closes the connection (1009, message too big) before it is parsed.
// Checked by tests/e2e/test_edge_limits.py; revisit when the CLI exposes `maxPayload`.
import { WebSocketServer } from 'ws';

let applied: number | undefined;

export function limitWebSocketMessages(maxBytes: number): void {
  if (applied !== undefined) {
    applied = Math.min(applied, maxBytes);
    return;
  }
  applied = maxBytes;
  const handleUpgrade = WebSocketServer.prototype.handleUpgrade;
  WebSocketServer.prototype.handleUpgrade = function (this: WebSocketServer, ...args) {
    const options = this.options as { maxPayload?: number };
    options.maxPayload = Math.min(options.maxPayload ?? Infinity, applied ?? Infinity);
    return handleUpgrade.apply(this, args);
  };
}
