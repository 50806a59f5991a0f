import { useMutation } from '@apollo/client/react';
import { useRef, useState } from 'react';
import { problemOf } from '../../components/Problem';
import { getFragmentData, graphql, type FragmentType } from '../../gql';
import { userErrorMessage } from '../../lib/errors';
import { cancellable } from '../../lib/orderStatus';
import { newId } from '../../lib/status';
import { sendUntilSettled } from './resend';

export const OrderActionsFragment = graphql(`
  fragment OrderActions_order on Order {
    id
    status
    payment {
      id
      status
    }
  }
`);

export const CancelOrderMutation = graphql(`
  mutation CancelOrder($input: CancelOrderInput!) {
    cancelOrder(input: $input) {
      order {
        id
        status
        updatedAt
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

export const RefundPaymentMutation = graphql(`
  mutation RefundPayment($input: RefundPaymentInput!) {
    refundPayment(input: $input) {
      payment {
        id
        status
        failureReason
        updatedAt
        order {
          id
          status
          updatedAt
        }
      }
      userErrors {
        field
        message
        code
        retryable
      }
    }
  }
`);

/** Cancel an unpaid order, refund a paid one. */
export function OrderActions({ order: masked }: { order: FragmentType<typeof OrderActionsFragment> }) {
  const { id: orderId, status, payment } = getFragmentData(OrderActionsFragment, masked);
  const paymentId = payment?.status === 'SUCCEEDED' ? payment.id : null;
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
    // One idempotency key until the refund has an outcome: pressing again never refunds twice.
    const key = (refundKey.current ??= newId());
    setBusy(true);
    setMessage(null);
    try {
      const result = await sendUntilSettled(
        () => refundPayment({ variables: { input: { paymentId, idempotencyKey: key } } }),
        (answer) => answer.data?.refundPayment.userErrors.some((e) => e.retryable) ?? false,
      );
      refundKey.current = null;
      const errors = result.data?.refundPayment.userErrors ?? [];
      if (errors.length) setMessage(errors.map(userErrorMessage).join(' '));
    } catch (caught) {
      setMessage(`${problemOf(caught).message} Pressing Refund again will not refund twice.`);
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
