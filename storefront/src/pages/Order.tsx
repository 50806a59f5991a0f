import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useRef, useState } from 'react';
import { problemOf } from '../components/Problem';
import type { OrderStatus } from '../gql/graphql';
import { CancelOrderMutation, OrderQuery, OrderStatusSubscription, ProcessPaymentMutation, RefundPaymentMutation } from '../graphql/operations';
import { failureReasonText, userErrorMessage } from '../lib/errors';
import { formatMoney, formatTime } from '../lib/money';
import {
  appendStatus,
  cancellable,
  payable,
  RETRYABLE_CODES,
  SANDBOX_CARDS,
  STATUS_LABEL,
  type TimelineEntry,
} from '../lib/orderStatus';
import { Link } from '../lib/router';
import { useConnection } from '../lib/shop';
import { newId } from '../lib/status';

/** Give up re-sending a retryable request after this long (the customer can press again). */
const RETRY_FOR_MS = 60_000;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Attempt {
  key: string;
  token: string;
}

export default function OrderPage({ id }: { id: string }) {
  const { data, loading, error, refetch } = useQuery(OrderQuery, { variables: { id } });
  const order = data?.order ?? null;
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

  // The subscription ends when the access token it was opened with expires (or the server
  // restarts it): open it again (a fresh token on a new connection) and read the order anew.
  const restartLive = useRef<() => void>(() => undefined);
  const restarts = useRef(0);
  const subscription = useSubscription(OrderStatusSubscription, {
    variables: { orderId: id },
    skip: !order,
    onData: ({ data: event }) => {
      const change = event.data?.orderStatusChanged;
      if (!change) return;
      restarts.current = 0;
      setTimeline((current) => appendStatus(current, { status: change.status, at: change.occurredAt }));
      // The payment (failure reason, refundability) moves with the status: read it again.
      void refetch();
    },
    onComplete: () => restartLive.current(),
    onError: () => restartLive.current(),
  });
  restartLive.current = () => {
    window.setTimeout(() => {
      subscription.restart();
      void refetch();
    }, 1_000);
  };

  // After the live connection comes back, read the order again: no transition is missed.
  useEffect(() => {
    if (previousLive.current === 'reconnecting' && live === 'connected') void refetch();
    previousLive.current = live;
  }, [live, refetch]);

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
      <section className="order-status" aria-labelledby="status-heading">
        <h2 id="status-heading">Status</h2>
        <p role="status" aria-live="polite" aria-atomic="true" className={`status-badge status-${order.status.toLowerCase()}`}>
          {STATUS_LABEL[order.status]}
        </p>
        {live === 'reconnecting' ? <p className="hint">Reconnecting for live updates…</p> : null}
        <ol className="timeline" aria-label="Status history">
          {timeline.map((entry, index) => (
            <li key={`${entry.status}-${entry.at}`} aria-current={index === timeline.length - 1 ? 'step' : undefined}>
              <span className="timeline-status">{STATUS_LABEL[entry.status]}</span>{' '}
              <time dateTime={entry.at}>{formatTime(entry.at)}</time>
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="items-heading">
        <h2 id="items-heading">Items</h2>
        <table className="items">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Quantity</th>
              <th scope="col">Price</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {order.items.map((item) => (
              <tr key={item.sku}>
                <td>{item.name}</td>
                <td>{item.quantity}</td>
                <td>{formatMoney(item.unitPrice)}</td>
                <td>{formatMoney(item.lineTotal)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                Order total
              </th>
              <td>{formatMoney(order.total)}</td>
            </tr>
          </tfoot>
        </table>
      </section>

      {payable(order.status) ? <PaymentForm orderId={order.id} status={order.status} lastFailure={order.payment?.status === 'FAILED' ? order.payment.failureReason : null} /> : null}
      <OrderActions orderId={order.id} status={order.status} paymentId={order.payment?.status === 'SUCCEEDED' ? order.payment.id : null} />
      <p>
        <Link href="/orders">All your orders</Link>
      </p>
    </>
  );
}

function PaymentForm({ orderId, status, lastFailure }: { orderId: string; status: OrderStatus; lastFailure: string | null | undefined }) {
  const [card, setCard] = useState(SANDBOX_CARDS[0].token);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const attempt = useRef<Attempt | null>(null);
  const [processPayment] = useMutation(ProcessPaymentMutation);

  const pay = async () => {
    if (busy) return;
    // One idempotency key per attempt: kept when the same attempt is sent again after a network
    // error or a retryable answer, new once the attempt has an outcome or the card changes.
    if (!attempt.current || attempt.current.token !== card) attempt.current = { key: newId(), token: card };
    const { key, token } = attempt.current;
    setBusy(true);
    setMessage(null);
    const deadline = Date.now() + RETRY_FOR_MS;
    try {
      for (let tries = 0; ; tries += 1) {
        let result;
        try {
          result = await processPayment({ variables: { input: { orderId, paymentMethodToken: token, idempotencyKey: key } } });
        } catch (caught) {
          setMessage(`${problemOf(caught).message} Pressing Pay again will not charge you twice.`);
          return;
        }
        const payload = result.data?.processPayment;
        const retryable = payload?.userErrors.find((e) => RETRYABLE_CODES.has(e.code));
        if (retryable && Date.now() < deadline) {
          await wait(Math.min(2_000, 250 * 2 ** tries));
          continue;
        }
        attempt.current = null;
        if (payload?.payment?.status === 'FAILED') setMessage(failureReasonText(payload.payment.failureReason));
        else if (payload?.userErrors.length) setMessage(payload.userErrors.map(userErrorMessage).join(' '));
        return;
      }
    } finally {
      setBusy(false);
    }
  };

  const shown = message ?? (status === 'PAYMENT_FAILED' ? failureReasonText(lastFailure) : null);
  return (
    <section aria-labelledby="pay-heading" className="pay">
      <h2 id="pay-heading">Payment</h2>
      {shown ? (
        <p className="error" role="alert">
          {shown}
        </p>
      ) : null}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void pay();
        }}
      >
        <div className="field">
          <label htmlFor="card">Card</label>
          <select id="card" value={card} onChange={(event) => setCard(event.target.value)} disabled={busy}>
            {SANDBOX_CARDS.map((option) => (
              <option key={option.token} value={option.token}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary" disabled={busy} aria-describedby={busy ? 'pay-progress' : undefined}>
          Pay
        </button>
        {busy ? (
          <span id="pay-progress" className="hint">
            {' '}
            Payment in progress…
          </span>
        ) : null}
      </form>
    </section>
  );
}

function OrderActions({ orderId, status, paymentId }: { orderId: string; status: OrderStatus; paymentId: string | null }) {
  const [cancelOrder, cancelState] = useMutation(CancelOrderMutation);
  const [refundPayment] = useMutation(RefundPaymentMutation);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const refundKey = useRef<string | null>(null);

  const cancel = async () => {
    setMessage(null);
    try {
      const { data } = await cancelOrder({ variables: { input: { orderId } } });
      const errors = data?.cancelOrder.userErrors ?? [];
      if (errors.length) setMessage(errors.map(userErrorMessage).join(' '));
    } catch (caught) {
      setMessage(problemOf(caught).message);
    }
  };

  const refund = async () => {
    if (busy || !paymentId) return;
    refundKey.current ??= newId();
    setBusy(true);
    setMessage(null);
    const deadline = Date.now() + RETRY_FOR_MS;
    try {
      for (let tries = 0; ; tries += 1) {
        let result;
        try {
          result = await refundPayment({ variables: { input: { paymentId, idempotencyKey: refundKey.current } } });
        } catch (caught) {
          setMessage(`${problemOf(caught).message} Pressing Refund again will not refund twice.`);
          return;
        }
        const errors = result.data?.refundPayment.userErrors ?? [];
        if (errors.some((e) => RETRYABLE_CODES.has(e.code)) && Date.now() < deadline) {
          await wait(Math.min(2_000, 250 * 2 ** tries));
          continue;
        }
        refundKey.current = null;
        if (errors.length) setMessage(errors.map(userErrorMessage).join(' '));
        return;
      }
    } finally {
      setBusy(false);
    }
  };

  const canCancel = cancellable(status);
  const canRefund = status === 'PAID' && paymentId !== null;
  if (!canCancel && !canRefund && !message) return null;
  return (
    <section aria-labelledby="actions-heading" className="actions">
      <h2 id="actions-heading">Changed your mind?</h2>
      {message ? (
        <p className="error" role="alert">
          {message}
        </p>
      ) : null}
      {canCancel ? (
        <button type="button" onClick={cancel} disabled={cancelState.loading}>
          Cancel order
        </button>
      ) : null}
      {canRefund ? (
        <button type="button" onClick={refund} disabled={busy}>
          Refund
        </button>
      ) : null}
    </section>
  );
}
