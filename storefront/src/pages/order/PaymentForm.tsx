import { useMutation, useQuery } from '@apollo/client/react';
import { useRef, useState } from 'react';
import { problemOf } from '../../components/Problem';
import { getFragmentData, graphql, type FragmentType } from '../../gql';
import type { OrderStatus } from '../../gql/graphql';
import { failureReasonText, userErrorMessage } from '../../lib/errors';
import { payable } from '../../lib/orderStatus';
import { newId } from '../../lib/status';
import { sendUntilSettled } from './resend';

export const PaymentFormFragment = graphql(`
  fragment PaymentForm_order on Order {
    id
    status
    payment {
      id
      status
      failureReason
    }
  }
`);

export const ProcessPaymentMutation = graphql(`
  mutation ProcessPayment($input: ProcessPaymentInput!) {
    processPayment(input: $input) {
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

/** The payment provider's test payment methods (the sandbox's tokens or Stripe's test ids). */
export const TestPaymentMethodsQuery = graphql(`
  query TestPaymentMethods {
    testPaymentMethods {
      token
      label
    }
  }
`);

/** The card form, while the order can be paid (pending, or its last payment failed). */
export function PaymentForm({ order: masked }: { order: FragmentType<typeof PaymentFormFragment> }) {
  const order = getFragmentData(PaymentFormFragment, masked);
  if (!payable(order.status)) return null;
  const lastFailure = order.payment?.status === 'FAILED' ? order.payment.failureReason : null;
  return <CardForm orderId={order.id} status={order.status} lastFailure={lastFailure} />;
}

interface Attempt {
  key: string;
  token: string;
}

function CardForm({ orderId, status, lastFailure }: { orderId: string; status: OrderStatus; lastFailure: string | null }) {
  const { data: offered } = useQuery(TestPaymentMethodsQuery);
  const cards = offered?.testPaymentMethods ?? [];
  const [chosen, setCard] = useState<string | null>(null);
  const card = chosen ?? cards[0]?.token ?? '';
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
    try {
      const result = await sendUntilSettled(
        () => processPayment({ variables: { input: { orderId, paymentMethodToken: token, idempotencyKey: key } } }),
        (answer) => answer.data?.processPayment.userErrors.some((e) => e.retryable) ?? false,
      );
      attempt.current = null;
      const payload = result.data?.processPayment;
      if (payload?.payment?.status === 'FAILED') setMessage(failureReasonText(payload.payment.failureReason));
      else if (payload?.userErrors.length) setMessage(payload.userErrors.map(userErrorMessage).join(' '));
    } catch (caught) {
      setMessage(`${problemOf(caught).message} Pressing Pay again will not charge you twice.`);
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
            {cards.map((option) => (
              <option key={option.token} value={option.token}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="primary" disabled={busy || !card} aria-describedby={busy ? 'pay-progress' : undefined}>
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
