import { describe, expect, it } from 'vitest';
import { catalogFormErrors, inCurrencyOrder, parseDelta, pricesFrom, signed } from './products';

describe('pricesFrom', () => {
  it('sends the filled boxes only, trimmed, in currency order', () => {
    expect(pricesFrom({ EUR: ' 11.50 ', USD: '12.50' })).toEqual({
      prices: [
        { amount: '12.50', currency: 'USD' },
        { amount: '11.50', currency: 'EUR' },
      ],
      currencies: ['USD', 'EUR'],
    });
    expect(pricesFrom({ USD: '', EUR: '9' })).toEqual({ prices: [{ amount: '9', currency: 'EUR' }], currencies: ['EUR'] });
    expect(pricesFrom({})).toEqual({ prices: [], currencies: [] });
  });
});

describe('catalogFormErrors', () => {
  const known = ['sku', 'name', 'price-USD', 'price-EUR'];

  it('puts an error on the n-th sent price next to that currency', () => {
    const errors = catalogFormErrors(
      [{ field: ['input', 'prices', '0', 'amount'], message: 'Too many decimals.', code: 'INVALID_PRICE' }],
      ['EUR'],
      known,
    );
    expect(errors).toEqual({ fields: { 'price-EUR': 'Too many decimals.' }, general: [] });
  });

  it('puts "no price" on the first box and field errors on their fields', () => {
    const errors = catalogFormErrors(
      [
        { field: ['input', 'prices'], message: 'Give at least one price.', code: 'PRICE_REQUIRED' },
        { field: ['input', 'sku'], message: 'That SKU is taken.', code: 'SKU_TAKEN' },
      ],
      [],
      known,
    );
    expect(errors).toEqual({
      fields: { 'price-USD': 'Give at least one price.', sku: 'That SKU is taken.' },
      general: [],
    });
  });

  it('says a refused stock change would go below zero', () => {
    const errors = catalogFormErrors(
      [{ field: null, message: 'Only 1 available.', code: 'STOCK_BELOW_ZERO' }],
      [],
      ['delta'],
    );
    expect(errors.general).toEqual(['Stock would go below zero: Only 1 available.']);
  });
});

describe('parseDelta', () => {
  it('reads whole numbers with or without a sign', () => {
    expect(parseDelta('5')).toBe(5);
    expect(parseDelta(' +2 ')).toBe(2);
    expect(parseDelta('-3')).toBe(-3);
    expect(parseDelta('\u22124')).toBe(-4);
  });

  it('refuses anything else', () => {
    for (const text of ['', '1.5', 'two', '--1', '1e3', '12345678']) expect(parseDelta(text)).toBeNull();
  });
});

describe('signed', () => {
  it('shows the sign of a change', () => {
    expect(signed(2)).toBe('+2');
    expect(signed(-1)).toBe('\u22121');
    expect(signed(0)).toBe('0');
  });
});

describe('inCurrencyOrder', () => {
  it('puts USD before EUR, whatever the API sent', () => {
    const prices = [
      { amount: '11.00', currency: 'EUR' },
      { amount: '12.00', currency: 'USD' },
    ];
    expect(inCurrencyOrder(prices).map((price) => price.currency)).toEqual(['USD', 'EUR']);
  });
});
