// The order's status as it changes: a subscription to its status events, kept open (opened again
// from the last change it delivered, the server sends what was missed), and the order read again
// with each change and whenever something may have been missed.
import { useEffect, useRef, useState } from 'react';
import { getFragmentData, graphql, type FragmentType } from '../../gql';
import { useReopenedSubscription } from '../../lib/liveSubscription';
import { addStatus, type TimelineEntry } from '../../lib/orderStatus';
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
  subscription OrderStatus($orderId: ID!, $since: DateTime) {
    orderStatusChanged(orderId: $orderId, since: $since) {
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
 * again (`refetch`: its payment moves with the status). When the subscription ends it is opened
 * again from the last change it delivered (the changes made meanwhile come first; the order's
 * reads never move that point) and the order is read again; so it is after the live connection
 * comes back: no transition is missed. Mounted once per order (the page is keyed by it).
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
        return order.status === 'PENDING' ? seeded : addStatus(seeded, { status: order.status, at: order.updatedAt });
      }
      return addStatus(current, { status: order.status, at: order.updatedAt });
    });
  }, [order?.status, order?.createdAt, order?.updatedAt]);

  // Opened again from the last change it delivered, with the order read anew, whenever it ends.
  useReopenedSubscription(
    OrderStatusSubscription,
    {
      variables: { orderId },
      skip: !order,
      onData: ({ data: event }) => {
        const change = event.data?.orderStatusChanged;
        if (!change) return;
        setTimeline((current) => addStatus(current, { status: change.status, at: change.occurredAt }));
        void refetch();
      },
    },
    refetch,
    order?.updatedAt,
    (data) => data.orderStatusChanged.occurredAt,
  );

  // After the live connection comes back, read the order again.
  useEffect(() => {
    if (previousLive.current === 'reconnecting' && live === 'connected') void refetch();
    previousLive.current = live;
  }, [live, refetch]);

  return { timeline, reconnecting: live === 'reconnecting' };
}
