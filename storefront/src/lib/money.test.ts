import { describe, expect, it } from 'vitest';
import { formatMoney, sumDecimals } from './money';

describe('money', () => {
  it('sums decimal strings exactly', () => {
    expect(sumDecimals([{ amount: '0.1', quantity: 3 }])).toBe('0.3');
    expect(sumDecimals([{ amount: '19.99', quantity: 999 }, { amount: '0.005', quantity: 1 }])).toBe('19970.015');
    expect(sumDecimals([])).toBe('0');
    expect(() => sumDecimals([{ amount: '1e3', quantity: 1 }])).toThrow();
  });

  it('formats from the decimal string, never through a float', () => {
    expect(formatMoney({ amount: '12.50', currency: 'USD' }, 'en-US')).toBe('$12.50');
    // 2^53 + 1 cannot be a float; the string keeps it
    expect(formatMoney({ amount: '9007199254740993.00', currency: 'USD' }, 'en-US')).toBe('$9,007,199,254,740,993.00');
  });
});
