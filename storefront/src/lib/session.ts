// The browser side of a session (see storefront/README.md, "Sessions and threat model"):
// the access token lives in memory only; the refresh token in localStorage, so a session
// survives a reload and outlives one 15-minute access token. Refresh tokens rotate on every use
// and reusing a spent one revokes the whole session, so exactly one refresh may be in flight at
// a time across every tab of the shop: the Web Locks API serialises them, and each refresh reads
// the newest token from storage inside the lock (another tab may have rotated it meanwhile).

export interface SessionUser {
  id: string;
  name: string;
  email?: string | null;
}

export interface Grant {
  accessToken: string;
  expiresAt: string;
  refreshToken?: string | null;
  refreshExpiresAt?: string | null;
  user?: SessionUser | null;
}

export type RefreshOutcome =
  | { ok: true; grant: Grant }
  /** The session is over (expired, revoked, unknown token): sign in again. */
  | { ok: false; code: string };

/** The server calls a session needs (the users subgraph's session API). */
export interface SessionApi {
  refresh(refreshToken: string): Promise<RefreshOutcome>;
  logout(refreshToken: string): Promise<void>;
  logoutEverywhere(accessToken: string): Promise<void>;
}

export interface SessionSnapshot {
  signedIn: boolean;
  user: SessionUser | null;
  /** Why the last session ended without the user signing out (shown on the sign-in page). */
  endedBecause: string | null;
}

interface StoredSession {
  refreshToken: string;
  refreshExpiresAt: string | null;
}

export const STORAGE_KEY = 'storefront.session';
const LOCK_NAME = 'storefront.session.refresh';
/** Refresh this long before the access token expires. */
const EARLY_MS = 60_000;

export interface SessionDeps {
  storage: Storage;
  now?: () => number;
  locks?: LockManager | null;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class Session {
  private access: { token: string; expiresAt: number } | null = null;
  private user: SessionUser | null = null;
  private endedBecause: string | null = null;
  private inFlight: Promise<string | null> | null = null;
  private timer: unknown = null;
  private snapshot: SessionSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;
  private readonly locks: LockManager | null;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  api: SessionApi | null = null;

  constructor(private readonly deps: SessionDeps) {
    this.now = deps.now ?? Date.now;
    this.locks = deps.locks ?? null;
    this.setTimer = deps.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.clearTimer = deps.clearTimer ?? ((handle) => clearTimeout(handle as number));
    this.snapshot = this.makeSnapshot();
  }

  // ------------------------------------------------------------------ state for the UI

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionSnapshot => this.snapshot;

  private makeSnapshot(): SessionSnapshot {
    return {
      signedIn: this.access !== null || this.stored() !== null,
      user: this.user,
      endedBecause: this.endedBecause,
    };
  }

  private changed(): void {
    this.snapshot = this.makeSnapshot();
    for (const listener of this.listeners) listener();
  }

  // ------------------------------------------------------------------ storage

  private stored(): StoredSession | null {
    try {
      const raw = this.deps.storage.getItem(STORAGE_KEY);
      if (!raw) return null;
      const data = JSON.parse(raw) as Partial<StoredSession>;
      if (typeof data.refreshToken !== 'string' || !data.refreshToken) return null;
      if (data.refreshExpiresAt && Date.parse(data.refreshExpiresAt) <= this.now()) return null;
      return { refreshToken: data.refreshToken, refreshExpiresAt: data.refreshExpiresAt ?? null };
    } catch {
      return null;
    }
  }

  private store(grant: Grant): void {
    if (grant.refreshToken) {
      const value: StoredSession = {
        refreshToken: grant.refreshToken,
        refreshExpiresAt: grant.refreshExpiresAt ?? null,
      };
      this.deps.storage.setItem(STORAGE_KEY, JSON.stringify(value));
    }
  }

  /** Another tab changed the stored session (`storage` event): follow a sign-out there. */
  onStorageEvent(key: string | null): void {
    if (key !== null && key !== STORAGE_KEY) return;
    if (this.stored() === null && this.access !== null) {
      this.forget('signed-out-elsewhere');
    } else {
      this.changed();
    }
  }

  // ------------------------------------------------------------------ tokens

  /** A grant from register, login or refresh. */
  accept(grant: Grant): void {
    this.access = { token: grant.accessToken, expiresAt: Date.parse(grant.expiresAt) };
    if (grant.user) this.user = grant.user;
    this.endedBecause = null;
    this.store(grant);
    this.schedule();
    this.changed();
  }

  setUser(user: SessionUser | null): void {
    if (user?.id === this.user?.id && user?.name === this.user?.name) return;
    this.user = user;
    this.changed();
  }

  /** The access token to send: the one in memory while valid, else a refreshed one, else null. */
  async accessToken(): Promise<string | null> {
    if (this.access && this.access.expiresAt - this.now() > 5_000) return this.access.token;
    if (this.stored() === null) {
      if (this.access) this.forget('expired');
      return null;
    }
    return this.refresh();
  }

  /** The server refused the access token: drop it, so the next request refreshes. */
  rejectAccessToken(token: string): void {
    if (this.access?.token === token) this.access = null;
  }

  /** Rotate the refresh token for a new access token; one at a time, in every tab. */
  refresh(): Promise<string | null> {
    if (!this.inFlight) {
      this.inFlight = this.withLock(() => this.refreshNow()).finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async withLock<T>(work: () => Promise<T>): Promise<T> {
    if (this.locks) return this.locks.request(LOCK_NAME, work);
    return work();
  }

  private async refreshNow(): Promise<string | null> {
    const stored = this.stored(); // newest token: another tab may have rotated it meanwhile
    if (stored === null || this.api === null) {
      if (this.access === null || stored === null) this.forget(this.access ? 'expired' : null);
      return this.access?.token ?? null;
    }
    const outcome = await this.api.refresh(stored.refreshToken); // network errors propagate
    if (!outcome.ok) {
      // Only drop the stored token if nobody replaced it while we were asking.
      if (this.deps.storage.getItem(STORAGE_KEY) !== null && this.stored()?.refreshToken === stored.refreshToken) {
        this.deps.storage.removeItem(STORAGE_KEY);
      }
      this.forget(outcome.code);
      return null;
    }
    this.accept(outcome.grant);
    return outcome.grant.accessToken;
  }

  private schedule(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    if (!this.access || this.stored() === null) return;
    const due = Math.max(5_000, this.access.expiresAt - this.now() - EARLY_MS);
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.refresh().catch(() => {
        // Offline: the next request refreshes (after expiry, on demand).
      });
    }, due);
  }

  private forget(reason: string | null): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.access = null;
    this.user = null;
    this.endedBecause = reason;
    this.changed();
  }

  // ------------------------------------------------------------------ signing out

  /** Revoke this session on the server (best effort) and forget it here. */
  async signOut(): Promise<void> {
    const stored = this.stored();
    this.deps.storage.removeItem(STORAGE_KEY); // no tab can spend it any more
    try {
      if (stored && this.api) await this.api.logout(stored.refreshToken);
    } catch {
      // Offline: the token is gone from this browser; the session ends by its idle timeout.
    } finally {
      this.forget(null);
    }
  }

  /** Revoke every session of the user (every device), then forget this one. */
  async signOutEverywhere(): Promise<void> {
    const token = await this.accessToken();
    if (token && this.api) await this.api.logoutEverywhere(token);
    this.deps.storage.removeItem(STORAGE_KEY);
    this.forget(null);
  }
}
