import { useQuery } from '@apollo/client/react';
import { problemOf } from '@storefront/components/Problem';
import { formatMoney, formatTime } from '@storefront/lib/money';
import { cancellable, payable, STATUS_LABEL } from '@storefront/lib/orderStatus';
import { useFreshRead, useReopenedSubscription } from '@storefront/lib/liveSubscription';
import { Link } from '@storefront/lib/router';
import { graphql } from '../../gql';
import type { OrderActorKind } from '../../gql/graphql';
import { useClaims } from '../../lib/services';
import { CancelOrderAction, RefundAction } from './Actions';

/**
 * A backstop: the order is read again this often while it is open, for a change whose event
 * was missed while the live connection was down. Changes show at once through
 * `orderStatusChanged` (staff with `orders:read:any` follow any order).
 */
export const ORDER_POLL_MS = 30_000;

export const StaffOrderStatusSubscription = graphql(`
  subscription StaffOrderStatus($orderId: ID!, $since: DateTime) {
    orderStatusChanged(orderId: $orderId, since: $since) {
      orderId
      status
      occurredAt
    }
  }
`);

export const StaffOrderQuery = graphql(`
  query StaffOrder($id: ID!) {
    staffOrder(id: $id) {
      id
      status
      stockReserved
      expiresAt
      createdAt
      updatedAt
      total {
        amount
        currency
      }
      user {
        id
        name
        email
      }
      items {
        sku
        name
        quantity
        unitPrice {
          amount
          currency
        }
        lineTotal {
          amount
          currency
        }
      }
      timeline {
        status
        at
        actorKind
        actor {
          id
          name
        }
        reason
      }
      payment {
        id
        status
        failureReason
        amount {
          amount
          currency
        }
        transactions {
          id
          kind
          status
          failureReason
          createdAt
          amount {
            amount
            currency
          }
        }
      }
      notifications {
        id
        kind
        channel
        subject
        status
        failureReason
        createdAt
        sentAt
      }
    }
  }
`);

/** An API code as words: `PARTIALLY_REFUNDED` -> "partially refunded", `card_declined` -> "card declined". */
const words = (code: string) => code.toLowerCase().replaceAll('_', ' ');

const ACTOR: Record<OrderActorKind, string> = { CUSTOMER: 'Customer', STAFF: 'Staff', SYSTEM: 'System' };

/** One order, everything about it on one screen, kept current; the actions its status allows. */
export function OrderPage({ id }: { id: string }) {
  const claims = useClaims();
  const { data, loading, error, refetch } = useQuery(StaffOrderQuery, {
    variables: { id },
    pollInterval: ORDER_POLL_MS,
  });
  const order = data?.staffOrder ?? null;
  // Each status event reads the whole order again (its payment, timeline and mails move with
  // it), never sharing a read sent before the change; the subscription is opened again
  // whenever it ends (staff tokens live minutes), from the last change it delivered (reads never
  // move it): the changes made while it was closed come first. Orders.tsx keys this page by `id`.
  const reread = useFreshRead(StaffOrderQuery, { id });
  useReopenedSubscription(
    StaffOrderStatusSubscription,
    { variables: { orderId: id }, skip: !order, onData: () => void reread() },
    reread,
    order?.updatedAt,
    (change) => change.orderStatusChanged.occurredAt,
  );
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
          <Link href="/orders">All orders</Link>
        </p>
      </>
    );
  }
  const scopes = claims?.scopes ?? new Set<string>();
  const payment = order.payment;
  const refundable = order.status === 'PAID' && payment?.status === 'SUCCEEDED';
  const reload = async () => {
    await refetch();
  };
  return (
    <>
      <p>
        <Link href="/orders">All orders</Link>
      </p>
      <h1>
        Order <span className="mono">{order.id}</span>
      </h1>
      <div className="order-summary">
        <p>
          Status:{' '}
          <span
            role="status"
            aria-live="polite"
            aria-atomic="true"
            className={`status-badge status-${order.status.toLowerCase()}`}
          >
            {STATUS_LABEL[order.status]}
          </span>
        </p>
        <p>
          Customer: {order.user.name}
          {order.user.email ? ` <${order.user.email}>` : ''}
        </p>
        <p>
          Placed <time dateTime={order.createdAt}>{formatTime(order.createdAt)}</time>
        </p>
        {payable(order.status) ? (
          <p>Stock: {order.stockReserved ? 'reserved for it' : 'not reserved yet (it cannot be paid until it is)'}</p>
        ) : null}
        {order.expiresAt ? (
          <p>
            Payable until <time dateTime={order.expiresAt}>{formatTime(order.expiresAt)}</time>
          </p>
        ) : null}
      </div>

      <section aria-labelledby="items-heading">
        <h2 id="items-heading">Items</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">SKU</th>
              <th scope="col" className="number">
                Quantity
              </th>
              <th scope="col" className="number">
                Unit price
              </th>
              <th scope="col" className="number">
                Line total
              </th>
            </tr>
          </thead>
          <tbody>
            {order.items.map((item) => (
              <tr key={item.sku}>
                <td>{item.name}</td>
                <td className="mono">{item.sku}</td>
                <td className="number">{item.quantity}</td>
                <td className="number">{formatMoney(item.unitPrice)}</td>
                <td className="number">{formatMoney(item.lineTotal)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={4}>
                Total
              </th>
              <td className="number">{formatMoney(order.total)}</td>
            </tr>
          </tfoot>
        </table>
      </section>

      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Status</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {order.timeline.map((entry) => (
              <tr key={`${entry.status}-${entry.at}`}>
                <td>
                  <time dateTime={entry.at}>{formatTime(entry.at)}</time>
                </td>
                <td>{STATUS_LABEL[entry.status]}</td>
                <td>
                  {entry.actor
                    ? `${entry.actor.name} (${ACTOR[entry.actorKind].toLowerCase()})`
                    : ACTOR[entry.actorKind]}
                </td>
                <td>{entry.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="payment-heading">
        <h2 id="payment-heading">Payment</h2>
        {payment ? (
          <>
            <p>
              {words(payment.status)}, {formatMoney(payment.amount)}
              {payment.failureReason ? ` (${words(payment.failureReason)})` : ''}{' '}
              <span className="mono hint">{payment.id}</span>
            </p>
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Transaction</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="number">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {payment.transactions.map((transaction) => (
                  <tr key={transaction.id}>
                    <td>
                      <time dateTime={transaction.createdAt}>{formatTime(transaction.createdAt)}</time>
                    </td>
                    <td>{words(transaction.kind)}</td>
                    <td>
                      {words(transaction.status)}
                      {transaction.failureReason ? ` (${words(transaction.failureReason)})` : ''}
                    </td>
                    <td className="number">{formatMoney(transaction.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : (
          <p>No payment yet.</p>
        )}
      </section>

      <section aria-labelledby="mails-heading">
        <h2 id="mails-heading">Mails sent</h2>
        {order.notifications.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Subject</th>
                <th scope="col">Channel</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {order.notifications.map((mail) => (
                <tr key={mail.id}>
                  <td>
                    <time dateTime={mail.sentAt ?? mail.createdAt}>{formatTime(mail.sentAt ?? mail.createdAt)}</time>
                  </td>
                  <td>{mail.subject}</td>
                  <td>{words(mail.channel)}</td>
                  <td className={`notification-${words(mail.status)}`}>
                    {words(mail.status)}
                    {mail.failureReason ? ` (${words(mail.failureReason)})` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>None yet.</p>
        )}
      </section>

      {refundable && payment && scopes.has('refunds:decide') ? (
        <RefundAction orderId={order.id} paymentId={payment.id} onDone={reload} />
      ) : null}
      {cancellable(order.status) && scopes.has('orders:cancel:any') ? (
        <CancelOrderAction orderId={order.id} onDone={reload} />
      ) : null}
    </>
  );
}
