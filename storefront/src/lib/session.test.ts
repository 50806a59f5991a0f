import { describe, expect, it } from 'vitest';
import { Session, STORAGE_KEY, type Grant, type RefreshOutcome, type SessionApi } from './session';

class MemoryStorage implements Storage {
  private data = new Map<string, string>();
  get length() {
    return this.data.size;
  }
  clear() {
    this.data.clear();
  }
  getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  key(index: number) {
    return [...this.data.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.data.delete(key);
  }
  setItem(key: string, value: string) {
    this.data.set(key, value);
  }
}

/** The server's rotation rules: each refresh token works once; reuse revokes the session. */
class RotatingServer implements SessionApi {
  calls = 0;
  concurrent = 0;
  maxConcurrent = 0;
  private live = 'r0';
  private revoked = false;
  private spent = new Set<string>();
  async refresh(token: string): Promise<RefreshOutcome> {
    this.calls += 1;
    this.concurrent += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.concurrent -= 1;
    if (this.spent.has(token)) this.revoked = true;
    if (this.revoked) return { ok: false, code: 'SESSION_REVOKED' };
    if (token !== this.live) return { ok: false, code: 'INVALID_REFRESH_TOKEN' };
    this.spent.add(token);
    this.live = `r${this.calls}`;
    return { ok: true, grant: grant(`a${this.calls}`, this.live) };
  }
  async logout() {
    this.revoked = true;
  }
  async logoutEverywhere() {
    this.revoked = true;
  }
}

const NOW = Date.parse('2026-01-01T00:00:00Z');

function grant(access: string, refresh: string, minutes = 15): Grant {
  return {
    accessToken: access,
    expiresAt: new Date(NOW + minutes * 60_000).toISOString(),
    refreshToken: refresh,
    refreshExpiresAt: new Date(NOW + 7 * 24 * 3_600_000).toISOString(),
    user: { id: 'u1', name: 'Ann' },
  };
}

/** A lock manager shared by "tabs": one holder at a time, in request order. */
function sharedLocks(): LockManager {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    request: (_name: string, callback: () => Promise<unknown>) => {
      const run = tail.then(callback);
      tail = run.catch(() => undefined);
      return run;
    },
    query: async () => ({ held: [], pending: [] }),
  } as unknown as LockManager;
}

function tab(storage: Storage, api: SessionApi, locks: LockManager | null, now: () => number) {
  const session = new Session({ storage, locks, now, setTimer: () => 0, clearTimer: () => undefined });
  session.api = api;
  return session;
}

describe('Session', () => {
  it('keeps the access token in memory and only the refresh token in storage', () => {
    const storage = new MemoryStorage();
    const session = tab(storage, new RotatingServer(), null, () => NOW);
    session.accept(grant('a0', 'r0'));
    expect(storage.getItem(STORAGE_KEY)).toContain('r0');
    expect(storage.getItem(STORAGE_KEY)).not.toContain('a0');
    expect(session.getSnapshot()).toMatchObject({ signedIn: true, user: { name: 'Ann' } });
  });

  it('survives a reload by refreshing with the stored token', async () => {
    const storage = new MemoryStorage();
    const server = new RotatingServer();
    tab(storage, server, null, () => NOW).accept(grant('a0', 'r0'));
    const reloaded = tab(storage, server, null, () => NOW);
    expect(reloaded.getSnapshot().signedIn).toBe(true);
    expect(await reloaded.accessToken()).toBe('a1');
    expect(storage.getItem(STORAGE_KEY)).toContain('"r1"');
  });

  it('refreshes once the access token is due, one refresh for many callers', async () => {
    const storage = new MemoryStorage();
    const server = new RotatingServer();
    let now = NOW;
    const session = tab(storage, server, null, () => now);
    session.accept(grant('a0', 'r0'));
    expect(await session.accessToken()).toBe('a0');
    now += 16 * 60_000;
    const tokens = await Promise.all([session.accessToken(), session.accessToken(), session.accessToken()]);
    expect(tokens).toEqual(['a1', 'a1', 'a1']);
    expect(server.calls).toBe(1);
  });

  it('never reuses a rotated token across tabs that refresh at once', async () => {
    const storage = new MemoryStorage();
    const server = new RotatingServer();
    const locks = sharedLocks();
    const first = tab(storage, server, locks, () => NOW);
    first.accept(grant('a0', 'r0'));
    const second = tab(storage, server, locks, () => NOW);
    const third = tab(storage, server, locks, () => NOW);
    const tokens = await Promise.all([second.refresh(), third.refresh(), first.refresh()]);
    expect(tokens.every((token) => token !== null)).toBe(true);
    expect(server.maxConcurrent).toBe(1);
    expect(await second.accessToken()).not.toBeNull(); // not revoked
  });

  it('ends the session when the server revokes it', async () => {
    const storage = new MemoryStorage();
    const server = new RotatingServer();
    const session = tab(storage, server, null, () => NOW);
    session.accept(grant('a0', 'r0'));
    await server.logoutEverywhere();
    expect(await session.refresh()).toBeNull();
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
    expect(session.getSnapshot()).toMatchObject({ signedIn: false, endedBecause: 'SESSION_REVOKED' });
  });

  it('signs out: forgets both tokens and revokes the session on the server', async () => {
    const storage = new MemoryStorage();
    const server = new RotatingServer();
    const session = tab(storage, server, null, () => NOW);
    session.accept(grant('a0', 'r0'));
    await session.signOut();
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
    expect(await session.accessToken()).toBeNull();
    expect((await server.refresh('r0')).ok).toBe(false);
  });

  it('follows a sign-out in another tab', () => {
    const storage = new MemoryStorage();
    const session = tab(storage, new RotatingServer(), null, () => NOW);
    session.accept(grant('a0', 'r0'));
    storage.removeItem(STORAGE_KEY);
    session.onStorageEvent(STORAGE_KEY);
    expect(session.getSnapshot().signedIn).toBe(false);
  });
});
