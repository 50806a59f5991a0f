import { describe, expect, it } from 'vitest';
import { addStatus, type TimelineEntry } from './orderStatus';

const placed: TimelineEntry = { status: 'PENDING', at: '2026-01-01T10:00:00+00:00' };
const failed: TimelineEntry = { status: 'PAYMENT_FAILED', at: '2026-01-01T10:01:00+00:00' };
const paid: TimelineEntry = { status: 'PAID', at: '2026-01-01T10:02:00.500000+00:00' };

describe('addStatus', () => {
  it('appends a newer status', () => {
    expect(addStatus([placed, failed], paid)).toEqual([placed, failed, paid]);
  });

  it('adds a status once, whether read from the order or sent by the subscription', () => {
    const readFromTheOrder = { status: 'PAID' as const, at: '2026-01-01T10:02:01+00:00' };
    expect(addStatus([placed, failed, paid], readFromTheOrder)).toEqual([placed, failed, paid]);
  });

  it('places a change caught up after a newer one was read in time order', () => {
    expect(addStatus([placed, paid], failed)).toEqual([placed, failed, paid]);
  });
});
