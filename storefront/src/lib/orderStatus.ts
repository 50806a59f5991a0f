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

/** Add a status change to the timeline unless it is already the newest entry. */
export function appendStatus(timeline: readonly TimelineEntry[], entry: TimelineEntry): TimelineEntry[] {
  const last = timeline[timeline.length - 1];
  if (last && last.status === entry.status) return [...timeline];
  return [...timeline, entry];
}

