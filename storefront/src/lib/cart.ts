// The cart: lines of (sku, quantity), kept in localStorage. Prices shown here are an estimate;
// the server computes the real totals when the order is placed.
import { sumDecimals, type Money } from './money';

export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 999;

export interface CartLine {
  sku: string;
  name: string;
  unitPrice: Money;
  quantity: number;
}

export type Cart = readonly CartLine[];

export function clampQuantity(quantity: number): number {
  if (!Number.isFinite(quantity)) return MIN_QUANTITY;
  return Math.min(MAX_QUANTITY, Math.max(MIN_QUANTITY, Math.trunc(quantity)));
}

export function addToCart(cart: Cart, item: Omit<CartLine, 'quantity'>, quantity = 1): Cart {
  const existing = cart.find((line) => line.sku === item.sku);
  if (existing) {
    return setQuantity(cart, item.sku, existing.quantity + quantity);
  }
  return [...cart, { ...item, quantity: clampQuantity(quantity) }];
}

export function setQuantity(cart: Cart, sku: string, quantity: number): Cart {
  return cart.map((line) => (line.sku === sku ? { ...line, quantity: clampQuantity(quantity) } : line));
}

export function removeFromCart(cart: Cart, sku: string): Cart {
  return cart.filter((line) => line.sku !== sku);
}

export function itemCount(cart: Cart): number {
  return cart.reduce((count, line) => count + line.quantity, 0);
}

/** The estimated total per currency (null for an empty cart). */
export function estimatedTotal(cart: Cart): Money | null {
  if (cart.length === 0) return null;
  const currency = cart[0].unitPrice.currency;
  if (cart.some((line) => line.unitPrice.currency !== currency)) {
    throw new Error('a cart holds one currency');
  }
  return {
    amount: sumDecimals(cart.map((line) => ({ amount: line.unitPrice.amount, quantity: line.quantity }))),
    currency,
  };
}

/** The createOrder input of a cart. */
export function orderInput(cart: Cart): { items: { sku: string; quantity: number }[]; currency: string } {
  return {
    items: cart.map((line) => ({ sku: line.sku, quantity: line.quantity })),
    currency: cart[0]?.unitPrice.currency ?? 'USD',
  };
}

/** A cart read back from storage; anything malformed is dropped, never trusted. */
export function parseCart(raw: string | null): Cart {
  if (!raw) return [];
  try {
    const data: unknown = JSON.parse(raw);
    if (!Array.isArray(data)) return [];
    return data.flatMap((line): CartLine[] => {
      const l = line as Partial<CartLine>;
      const price = l.unitPrice as Partial<Money> | undefined;
      if (typeof l.sku !== 'string' || typeof l.name !== 'string') return [];
      if (typeof price?.amount !== 'string' || typeof price.currency !== 'string') return [];
      if (!/^\d+(\.\d+)?$/.test(price.amount)) return [];
      return [{ sku: l.sku, name: l.name, unitPrice: { amount: price.amount, currency: price.currency }, quantity: clampQuantity(Number(l.quantity)) }];
    });
  } catch {
    return [];
  }
}
