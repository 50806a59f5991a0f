import type { OrderStatus } from '../gql/graphql';

export const STATUS_LABEL: Record<OrderStatus, string> = {
  PENDING: 'Pending',
  PAID: 'Paid',
  PAYMENT_FAILED: 'Payment failed',
  CANCELLED: 'Cancelled',
  REFUNDED: 'Refunded',
};

export const SANDBOX_CARDS: ReadonlyArray<{ token: string; label: string }> = [
  { token: 'pm_card_ok', label: 'Visa ending 4242 (sandbox: succeeds)' },
  { token: 'pm_card_declined', label: 'Visa ending 0002 (sandbox: declined)' },
  { token: 'pm_card_insufficient_funds', label: 'Visa ending 9995 (sandbox: insufficient funds)' },
  { token: 'pm_provider_down', label: 'Mastercard ending 4444 (sandbox: provider down)' },
];

export const payable = (status: OrderStatus) => status === 'PENDING' || status === 'PAYMENT_FAILED';
export const cancellable = (status: OrderStatus) => status === 'PENDING' || status === 'PAYMENT_FAILED';

export interface TimelineEntry {
  status: OrderStatus;
  at: string;
}

/** Add a status change to the timeline unless it is already the newest entry. */
export function appendStatus(timeline: readonly TimelineEntry[], entry: TimelineEntry): TimelineEntry[] {
  const last = timeline[timeline.length - 1];
  if (last && last.status === entry.status) return [...timeline];
  return [...timeline, entry];
}

