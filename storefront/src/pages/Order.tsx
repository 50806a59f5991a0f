import { useQuery } from '@apollo/client/react';
import { problemOf } from '../components/Problem';
import { graphql } from '../gql';
import { useFreshRead } from '../lib/liveSubscription';
import { Link } from '../lib/router';
import { OrderActions } from './order/OrderActions';
import { OrderItems } from './order/OrderItems';
import { PaymentForm } from './order/PaymentForm';
import { RefundRequest } from './order/RefundRequest';
import { StatusTimeline } from './order/StatusTimeline';
import { useLiveStatus } from './order/useLiveStatus';

// The order page: its status live, its items, the payment form while it can be paid, cancel,
// and the refund request with its decision. Each part declares the fields it reads (its fragment, in its own file).
export const OrderQuery = graphql(`
  query Order($id: ID!) {
    order(id: $id) {
      id
      ...LiveStatus_order
      ...StatusTimeline_order
      ...OrderItems_order
      ...PaymentForm_order
      ...OrderActions_order
      ...RefundRequest_order
    }
  }
`);

export default function OrderPage({ id }: { id: string }) {
  const { data, loading, error } = useQuery(OrderQuery, { variables: { id } });
  const order = data?.order ?? null;
  const reread = useFreshRead(OrderQuery, { id });
  const { timeline, reconnecting } = useLiveStatus(id, order, reread);

  if (loading && !order) return <p aria-busy="true">Loading the order…</p>;
  if (error && !order) {
    return (
      <>
        <h1>Order</h1>
        <p className="error" role="alert">
          {problemOf(error).message}
        </p>
      </>
    );
  }
  if (!order) {
    return (
      <>
        <h1>Order not found</h1>
        <p>
          <Link href="/orders">Your orders</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Order {order.id.slice(-8)}</h1>
      <StatusTimeline order={order} timeline={timeline} reconnecting={reconnecting} />
      <OrderItems order={order} />
      <PaymentForm order={order} />
      <OrderActions order={order} />
      <RefundRequest order={order} />
      <p>
        <Link href="/orders">All your orders</Link>
      </p>
    </>
  );
}
