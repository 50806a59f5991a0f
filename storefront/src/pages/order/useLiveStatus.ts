// The order's status as it changes: a subscription to its status events, kept open, and the
// order read again whenever something may have been missed.
import { useEffect, useRef, useState } from 'react';
import { getFragmentData, graphql, type FragmentType } from '../../gql';
import { useReopenedSubscription } from '../../lib/liveSubscription';
import { appendStatus, type TimelineEntry } from '../../lib/orderStatus';
import { useConnection } from '../../lib/shop';

export const LiveStatusFragment = graphql(`
  fragment LiveStatus_order on Order {
    id
    status
    createdAt
    updatedAt
  }
`);

export const OrderStatusSubscription = graphql(`
  subscription OrderStatus($orderId: ID!) {
    orderStatusChanged(orderId: $orderId) {
      orderId
      status
      previousStatus
      occurredAt
    }
  }
`);

export interface LiveStatus {
  /** Every status the order went through while the page was open (seeded from the order). */
  timeline: TimelineEntry[];
  /** The live connection dropped and is being opened again. */
  reconnecting: boolean;
}

/**
 * Follow order `orderId` live. Each status event is added to the timeline and the order is read
 * again (`refetch`: its payment moves with the status); so it is after the subscription ends
 * (it is opened again) and after the live connection comes back, so no transition is missed.
 */
export function useLiveStatus(
  orderId: string,
  masked: FragmentType<typeof LiveStatusFragment> | null | undefined,
  refetch: () => Promise<unknown>,
): LiveStatus {
  const order = getFragmentData(LiveStatusFragment, masked);
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const { live } = useConnection();
  const previousLive = useRef(live);

  // Seed the timeline from what the order says; live changes are appended.
  useEffect(() => {
    if (!order) return;
    setTimeline((current) => {
      if (current.length === 0) {
        const seeded: TimelineEntry[] = [{ status: 'PENDING', at: order.createdAt }];
        return order.status === 'PENDING' ? seeded : appendStatus(seeded, { status: order.status, at: order.updatedAt });
      }
      return appendStatus(current, { status: order.status, at: order.updatedAt });
    });
  }, [order?.status, order?.createdAt, order?.updatedAt]);

  // Opened again, with the order read anew, whenever it ends (its token expired).
  useReopenedSubscription(
    OrderStatusSubscription,
    {
      variables: { orderId },
      skip: !order,
      onData: ({ data: event }) => {
        const change = event.data?.orderStatusChanged;
        if (!change) return;
        setTimeline((current) => appendStatus(current, { status: change.status, at: change.occurredAt }));
        void refetch();
      },
    },
    refetch,
  );

  // After the live connection comes back, read the order again.
  useEffect(() => {
    if (previousLive.current === 'reconnecting' && live === 'connected') void refetch();
    previousLive.current = live;
  }, [live, refetch]);

  return { timeline, reconnecting: live === 'reconnecting' };
}
