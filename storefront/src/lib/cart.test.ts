import { describe, expect, it } from 'vitest';
import { addToCart, clampQuantity, estimatedTotal, itemCount, orderInput, parseCart, removeFromCart, setQuantity } from './cart';

const mug = { sku: 'MUG', name: 'Mug', unitPrice: { amount: '12.50', currency: 'USD' } };
const tee = { sku: 'TEE', name: 'Tee', unitPrice: { amount: '0.10', currency: 'USD' } };

describe('cart', () => {
  it('adds a product once and counts quantities', () => {
    let cart = addToCart([], mug);
    cart = addToCart(cart, mug);
    cart = addToCart(cart, tee);
    expect(cart.map((l) => [l.sku, l.quantity])).toEqual([['MUG', 2], ['TEE', 1]]);
    expect(itemCount(cart)).toBe(3);
  });

  it('keeps quantities between 1 and 999', () => {
    expect(clampQuantity(0)).toBe(1);
    expect(clampQuantity(-5)).toBe(1);
    expect(clampQuantity(1000)).toBe(999);
    expect(clampQuantity(Number.NaN)).toBe(1);
    expect(clampQuantity(2.7)).toBe(2);
    const cart = setQuantity(addToCart([], mug), 'MUG', 5000);
    expect(cart[0].quantity).toBe(999);
    expect(addToCart(cart, mug)[0].quantity).toBe(999);
  });

  it('removes a line', () => {
    expect(removeFromCart(addToCart(addToCart([], mug), tee), 'MUG').map((l) => l.sku)).toEqual(['TEE']);
  });

  it('estimates the total exactly, without floats', () => {
    // 0.10 * 3 is 0.30000000000000004 in floating point
    const cart = setQuantity(addToCart(addToCart([], mug), tee), 'TEE', 3);
    expect(estimatedTotal(cart)).toEqual({ amount: '12.80', currency: 'USD' });
    expect(estimatedTotal([])).toBeNull();
  });

  it('builds the createOrder input', () => {
    expect(orderInput(setQuantity(addToCart([], mug), 'MUG', 4))).toEqual({
      items: [{ sku: 'MUG', quantity: 4 }],
      currency: 'USD',
    });
  });

  it('drops anything malformed read back from storage', () => {
    expect(parseCart('not json')).toEqual([]);
    expect(parseCart('{"a":1}')).toEqual([]);
    const raw = JSON.stringify([
      { ...mug, quantity: 2 },
      { sku: 'X', name: 'X', unitPrice: { amount: '1e9', currency: 'USD' }, quantity: 1 },
      { sku: 'Y', name: 'Y', unitPrice: { amount: '2.00', currency: 'USD' }, quantity: 99999 },
    ]);
    expect(parseCart(raw).map((l) => [l.sku, l.quantity])).toEqual([['MUG', 2], ['Y', 999]]);
  });
});
