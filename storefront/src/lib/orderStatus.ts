import type { OrderStatus } from '../gql/graphql';

export const STATUS_LABEL: Record<OrderStatus, string> = {
  PENDING: 'Pending',
  PAID: 'Paid',
  PAYMENT_FAILED: 'Payment failed',
  CANCELLED: 'Cancelled',
  REFUNDED: 'Refunded',
  REJECTED: 'Rejected: out of stock',
};

export const payable = (status: OrderStatus) => status === 'PENDING' || status === 'PAYMENT_FAILED';
export const cancellable = (status: OrderStatus) => status === 'PENDING' || status === 'PAYMENT_FAILED';

export interface TimelineEntry {
  status: OrderStatus;
  at: string;
}

/**
 * The timeline with a status change added in time order, unless the timeline holds that status
 * already (an order takes each status at most once): a change can arrive both read from the
 * order and through the subscription (a reopened one first sends those made while it was closed).
 */
export function addStatus(timeline: readonly TimelineEntry[], entry: TimelineEntry): TimelineEntry[] {
  if (timeline.some((known) => known.status === entry.status)) return [...timeline];
  const at = Date.parse(entry.at);
  const later = timeline.findIndex((known) => Date.parse(known.at) > at);
  return later < 0 ? [...timeline, entry] : [...timeline.slice(0, later), entry, ...timeline.slice(later)];
}
