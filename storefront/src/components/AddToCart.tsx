import { availabilityOf } from '../lib/availability';
import type { Money } from '../lib/money';
import { useShop } from '../lib/shop';

/** "In stock", "Only N left" or "Sold out", from the product's `available`. */
export function AvailabilityLabel({ available, id }: { available: number; id?: string }) {
  const { label, tone } = availabilityOf(available);
  return (
    <p id={id} className={`availability ${tone}`}>
      {label}
    </p>
  );
}

/** "Add to cart": off when the product is sold out, not sold in the shop's currency, or not sold any more. */
export function AddToCartButton({
  sku,
  name,
  price,
  available,
  orderable = true,
  describedBy,
  onAdded,
}: {
  sku: string;
  name: string;
  price: Money | null;
  available: number;
  orderable?: boolean;
  describedBy?: string;
  onAdded: (name: string) => void;
}) {
  const { cart } = useShop();
  const off = !price || !orderable || availabilityOf(available).soldOut;
  return (
    <button
      type="button"
      disabled={off}
      aria-describedby={describedBy}
      onClick={() => {
        if (off) return;
        cart.add({ sku, name, unitPrice: price });
        onAdded(name);
      }}
    >
      Add to cart
    </button>
  );
}
