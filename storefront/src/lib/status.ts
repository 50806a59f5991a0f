// Whether the gateway answers, the state of the live connection, and the correlation id of the
// last request (shown to the customer so support can find it in the logs).
type Listener = () => void;

export interface ConnectionSnapshot {
  gatewayDown: boolean;
  live: 'idle' | 'connected' | 'reconnecting';
  lastCorrelationId: string | null;
}

export class ConnectionStatus {
  private snapshot: ConnectionSnapshot = { gatewayDown: false, live: 'idle', lastCorrelationId: null };
  private readonly listeners = new Set<Listener>();

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ConnectionSnapshot => this.snapshot;

  private set(patch: Partial<ConnectionSnapshot>): void {
    const next = { ...this.snapshot, ...patch };
    if (
      next.gatewayDown === this.snapshot.gatewayDown &&
      next.live === this.snapshot.live &&
      next.lastCorrelationId === this.snapshot.lastCorrelationId
    ) {
      return;
    }
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }

  up(): void {
    this.set({ gatewayDown: false });
  }

  down(): void {
    this.set({ gatewayDown: true });
  }

  live(state: ConnectionSnapshot['live']): void {
    this.set({ live: state });
  }

  correlation(id: string): void {
    this.set({ lastCorrelationId: id });
  }
}

/** A random id for x-correlation-id (crypto.randomUUID needs a secure context; this does not). */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
