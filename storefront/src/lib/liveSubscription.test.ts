import { describe, expect, it } from 'vitest';
import { nextSince } from './liveSubscription';

const placed = '2026-01-01T10:00:00+00:00';
const failed = '2026-01-01T10:01:00+00:00';
const paid = '2026-01-01T10:02:00.500000+00:00';

describe('nextSince', () => {
  it('starts at the first read', () => {
    expect(nextSince(undefined, { read: placed })).toBe(placed);
  });

  it('is not moved by a re-read: what the subscription missed is still caught up', () => {
    // A payment failed, then succeeded, while the subscription was closed; a read shows PAID.
    const opened = nextSince(undefined, { read: placed });
    expect(nextSince(opened, { read: paid })).toBe(placed);
  });

  it('moves to each change delivered, never back', () => {
    let since = nextSince(undefined, { read: placed });
    since = nextSince(since, { delivered: failed });
    expect(since).toBe(failed);
    since = nextSince(since, { delivered: paid });
    expect(since).toBe(paid);
    expect(nextSince(since, { delivered: failed })).toBe(paid);
    expect(nextSince(since, { read: placed })).toBe(paid);
  });

  it('takes a change delivered before any read', () => {
    expect(nextSince(undefined, { delivered: failed })).toBe(failed);
  });
});
