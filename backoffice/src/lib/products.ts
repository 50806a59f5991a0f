// The catalog's forms as staff fill them: one price box per currency, a signed stock change,
// the API's codes as words. Pure functions (tested with Vitest).
import { formErrors, userErrorMessage, type FormErrors, type UserErrorLike } from '@storefront/lib/errors';
import type { ProductStatus, StockAdjustmentReason, StockMovementKind } from '../gql/graphql';

/** The currencies a product can be priced in (the catalog's `UNSUPPORTED_CURRENCY` otherwise). */
export const CURRENCIES = ['USD', 'EUR'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** The form field of a currency's price box ("Price (USD)"). */
export const priceField = (currency: Currency) => `price-${currency}`;

export const REASONS: readonly StockAdjustmentReason[] = ['RECEIVED', 'COUNTED', 'DAMAGED', 'RETURNED'];

export const REASON_LABEL: Record<StockAdjustmentReason, string> = {
  RECEIVED: 'Received',
  COUNTED: 'Counted',
  DAMAGED: 'Damaged',
  RETURNED: 'Returned',
};

export const MOVEMENT_LABEL: Record<StockMovementKind, string> = {
  ...REASON_LABEL,
  RESERVED: 'Reserved for an order',
  RELEASED: 'Released by an order',
  COMMITTED: 'Sold',
  SEEDED: 'Initial stock',
};

export const PRODUCT_STATUS_LABEL: Record<ProductStatus, string> = { ACTIVE: 'Active', ARCHIVED: 'Archived' };

export interface PriceInput {
  amount: string;
  currency: string;
}

/**
 * The `prices` input of the filled price boxes, in `CURRENCIES` order; an empty box means no
 * price in that currency. `currencies` says which currency each sent entry is (for the errors).
 */
export function pricesFrom(values: Partial<Record<Currency, string>>): { prices: PriceInput[]; currencies: Currency[] } {
  const prices: PriceInput[] = [];
  const currencies: Currency[] = [];
  for (const currency of CURRENCIES) {
    const amount = (values[currency] ?? '').trim();
    if (!amount) continue;
    prices.push({ amount, currency });
    currencies.push(currency);
  }
  return { prices, currencies };
}

/**
 * A catalog mutation's userErrors as a form shows them: an error on `prices.<n>` goes to that
 * currency's price box, one on `prices` itself (none given) to the first box; the others by
 * their field, as `formErrors` does.
 */
export function catalogFormErrors(
  errors: readonly UserErrorLike[],
  sent: readonly Currency[],
  known: readonly string[],
): FormErrors {
  const placed = errors.map((error) => {
    const path = (error.field ?? []).filter((part) => part !== 'input');
    if (path[0] !== 'prices') return error;
    const currency = path.length > 1 ? sent[Number(path[1])] : CURRENCIES[0];
    return { ...error, field: currency ? [priceField(currency)] : null };
  });
  return formErrors(
    placed.map((error) => ({ ...error, message: catalogErrorMessage(error) })),
    known,
  );
}

/** The API's message, said as staff need it for the codes a form meets. */
export function catalogErrorMessage(error: UserErrorLike): string {
  switch (error.code) {
    case 'STOCK_BELOW_ZERO':
      return error.message.toLowerCase().includes('below zero')
        ? error.message
        : `Stock would go below zero: ${error.message}`;
    case 'CONCURRENT_UPDATE':
      return 'Someone changed this product at the same moment. Try again.';
    default:
      return userErrorMessage(error);
  }
}

/** A stock change typed by staff: a whole number, signed or not ("5", "+5", "-2"); null otherwise. */
export function parseDelta(text: string): number | null {
  const trimmed = text.trim().replace(/^\u2212/, '-');
  if (!/^[+-]?\d{1,7}$/.test(trimmed)) return null;
  return Number(trimmed);
}

/** A count of units in the staff member's locale ("1,000,000"). */
export const units = (value: number) => value.toLocaleString();

/** A signed count as the history shows it: "+2", "−1" (a minus sign), "0". */
export function signed(value: number): string {
  if (value > 0) return `+${units(value)}`;
  if (value < 0) return `\u2212${units(-value)}`;
  return '0';
}

/** A product's prices in `CURRENCIES` order (the shop's own currency first). */
export function inCurrencyOrder<T extends { currency: string }>(prices: readonly T[]): T[] {
  const rank = (currency: string) => {
    const index = (CURRENCIES as readonly string[]).indexOf(currency);
    return index < 0 ? CURRENCIES.length : index;
  };
  return [...prices].sort((a, b) => rank(a.currency) - rank(b.currency));
}
