// What a customer reads about stock: from `Product.available` (on hand minus what placed orders
// have reserved), never the counts themselves beyond a few.

/** At or below this many units the shop says how many are left. */
export const FEW_LEFT = 5;

export interface Availability {
  label: string;
  /** Nothing can be ordered: adding to the cart is off. */
  soldOut: boolean;
  /** A class for the label's colour. */
  tone: 'in-stock' | 'few-left' | 'sold-out';
}

export function availabilityOf(available: number): Availability {
  if (available <= 0) return { label: 'Sold out', soldOut: true, tone: 'sold-out' };
  if (available <= FEW_LEFT) return { label: `Only ${available} left`, soldOut: false, tone: 'few-left' };
  return { label: 'In stock', soldOut: false, tone: 'in-stock' };
}
