// Request body size limit (GATEWAY_MAX_BODY_BYTES): larger bodies get 413 and a GraphQL error
// with extensions.code PAYLOAD_TOO_LARGE, and are never held in memory. A declared
// Content-Length is checked up front; a chunked body is counted while it is read.
//
// Refusing before the client has finished sending is not enough: a connection closed (or
// reused) while body bytes are still arriving makes the client see a reset instead of the 413.
// So the rest of an oversized body is read and thrown away, up to DRAIN_LIMIT_BYTES; beyond
// that the connection is closed after the answer.
//
// WebSocket messages are held to the same limit by edge/websocket-limit.ts.
import type { GatewayPlugin } from '@graphql-hive/gateway';
import { errorResponse } from './errors.ts';

const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

/** Reads and discards `reader` up to `limit` bytes; true when it reached the end. */
async function drain(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
): Promise<boolean> {
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return true;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return false;
    }
  }
}

export function useBodyLimit(maxBytes: number): GatewayPlugin {
  const message = `The request body is larger than the gateway accepts (${maxBytes} bytes).`;
  return {
    async onRequest({ request, setRequest, endResponse, fetchAPI }) {
      if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS')
        return;
      if (!request.body) return;
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) <= maxBytes) return;
      // onRequest errors are not caught by the server (they would crash the process): keep
      // every failure inside.
      try {
        const reader = request.body.getReader();
        const refuse = async () => {
          const drained = await drain(reader, DRAIN_LIMIT_BYTES);
          const headers: Record<string, string> = drained ? {} : { connection: 'close' };
          endResponse(
            errorResponse(fetchAPI, 413, message, 'PAYLOAD_TOO_LARGE', headers, { maxBytes }),
          );
        };
        if (declared !== null) {
          await refuse();
          return;
        }
        // No Content-Length (chunked): read it here, counting, and hand a buffered copy on.
        const chunks: Uint8Array[] = [];
        let size = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > maxBytes) {
            chunks.length = 0;
            await refuse();
            return;
          }
          chunks.push(value);
        }
        const body = new Uint8Array(size);
        let offset = 0;
        for (const chunk of chunks) {
          body.set(chunk, offset);
          offset += chunk.byteLength;
        }
        setRequest(
          new fetchAPI.Request(request.url, {
            method: request.method,
            headers: request.headers,
            body,
          }),
        );
      } catch {
        endResponse(
          errorResponse(fetchAPI, 400, 'The request body could not be read.', 'BAD_REQUEST', {
            connection: 'close',
          }),
        );
      }
    },
  };
}
