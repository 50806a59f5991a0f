import { useMutation } from '@apollo/client/react';
import { useRef, useState, type FormEvent } from 'react';
import { Field } from '@storefront/components/Field';
import { problemOf } from '@storefront/components/Problem';
import { formErrors, type UserErrorLike } from '@storefront/lib/errors';
import { graphql } from '../../gql';
import { useSubmitGuard } from '../../lib/guard';
import { MAX_REASON_LENGTH } from '../../lib/reason';

export const StaffCancelOrderMutation = graphql(`
  mutation StaffCancelOrder($input: StaffCancelOrderInput!) {
    staffCancelOrder(input: $input) {
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

export const StaffRefundPaymentMutation = graphql(`
  mutation StaffRefundPayment($input: RefundPaymentInput!) {
    refundPayment(input: $input) {
      payment {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

/**
 * A destructive action on one order: it names its target, asks for a reason, sends once (the
 * button is disabled while it runs, and a second submit meanwhile is dropped), and shows the
 * API's refusal. `run` answers the mutation's userErrors.
 */
function ReasonAction({
  name,
  heading,
  target,
  button,
  run,
  onDone,
}: {
  name: string;
  heading: string;
  target: string;
  button: string;
  run: (reason: string) => Promise<readonly UserErrorLike[]>;
  onDone: () => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const guard = useSubmitGuard();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void guard.run(async () => {
      setBusy(true);
      setFieldError(null);
      setGeneral(null);
      try {
        const errors = formErrors(await run(reason), ['reason']);
        setFieldError(errors.fields.reason ?? null);
        setGeneral(errors.general.length ? errors.general.join(' ') : null);
        if (!errors.general.length && !errors.fields.reason) {
          setReason('');
          await onDone();
        }
      } catch (caught) {
        setGeneral(problemOf(caught).message);
      } finally {
        setBusy(false);
      }
    });
  };

  const headingId = `${name}-heading`;
  return (
    <section aria-labelledby={headingId} className="action">
      <h2 id={headingId}>{heading}</h2>
      <form onSubmit={submit} aria-busy={busy}>
        <p>{target}</p>
        {general ? (
          <p className="error" role="alert">
            {general}
          </p>
        ) : null}
        <Field
          label="Reason"
          name={`${name}-reason`}
          hint="Stored with the action and shown on the order's timeline."
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          required
          maxLength={MAX_REASON_LENGTH}
          error={fieldError ?? undefined}
          disabled={busy}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Working…' : button}
        </button>
      </form>
    </section>
  );
}

/** Cancel an unpaid order (orders:cancel:any); the customer gets the cancellation mail. */
export function CancelOrderAction({ orderId, onDone }: { orderId: string; onDone: () => Promise<void> }) {
  const [cancel] = useMutation(StaffCancelOrderMutation);
  return (
    <ReasonAction
      name="cancel"
      heading="Cancel this order"
      target={`Cancels order ${orderId}, which is not paid; the customer is told by mail.`}
      button="Cancel order"
      run={async (reason) => {
        const { data } = await cancel({ variables: { input: { orderId, reason } } });
        return data?.staffCancelOrder.userErrors ?? [];
      }}
      onDone={onDone}
    />
  );
}

/**
 * Refund a paid order's payment in full (refunds:decide). The same reason sent again (after a
 * retryable refusal, or a lost answer) reuses its idempotency key, so it never refunds twice.
 */
export function RefundAction({
  orderId,
  paymentId,
  onDone,
}: {
  orderId: string;
  paymentId: string;
  onDone: () => Promise<void>;
}) {
  const [refund] = useMutation(StaffRefundPaymentMutation);
  const attempt = useRef<{ reason: string; key: string } | null>(null);
  return (
    <ReasonAction
      name="refund"
      heading="Refund this order"
      target={`Refunds payment ${paymentId} of order ${orderId} in full; the customer is told by mail.`}
      button="Refund"
      run={async (reason) => {
        if (attempt.current?.reason !== reason) attempt.current = { reason, key: crypto.randomUUID() };
        const idempotencyKey = attempt.current.key;
        const { data } = await refund({ variables: { input: { paymentId, idempotencyKey, reason } } });
        return data?.refundPayment.userErrors ?? [];
      }}
      onDone={onDone}
    />
  );
}
