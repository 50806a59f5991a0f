import { describe, expect, it } from 'vitest';
import { ageOf } from './age';

describe('ageOf', () => {
  const since = '2026-03-01T12:00:00.000Z';
  const at = (ms: number) => Date.parse(since) + ms;

  it('rounds down to the largest unit', () => {
    expect(ageOf(since, at(30_000))).toBe('under a minute');
    expect(ageOf(since, at(4 * 60_000 + 59_000))).toBe('4 min');
    expect(ageOf(since, at(3 * 3_600_000 + 1))).toBe('3 h');
    expect(ageOf(since, at(86_400_000))).toBe('1 day');
    expect(ageOf(since, at(9 * 86_400_000))).toBe('9 days');
  });

  it('never goes negative (a clock a little behind the server)', () => {
    expect(ageOf(since, at(-5_000))).toBe('under a minute');
  });
});
