import { useMutation } from '@apollo/client/react';
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
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
  options,
}: {
  name: string;
  heading: string;
  target: string;
  button: string;
  run: (reason: string) => Promise<readonly UserErrorLike[]>;
  onDone: () => Promise<void>;
  /** More of the form, under the reason (disabled while the action runs). */
  options?: (busy: boolean) => ReactNode;
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
        {options?.(busy)}
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

/** The checkbox that asks the catalog to take a refund's units back into stock (`restock`). */
export function RestockCheckbox({
  id,
  checked,
  onChange,
  disabled,
  compact = false,
}: {
  id: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  /** In a table row: the explanation is for screen readers only. */
  compact?: boolean;
}) {
  return (
    <div className="check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={`${id}-hint`}
      />
      <label htmlFor={id}>Return units to stock</label>
      <span id={`${id}-hint`} className={compact ? 'visually-hidden' : 'hint'}>
        The order's units become available again (an adjustment with reason returned).
      </span>
    </div>
  );
}

/**
 * Refund a paid order's payment in full (refunds:decide), the units back in stock if asked. The
 * same reason and choice sent again (after a retryable refusal, or a lost answer) reuse their
 * idempotency key, so it never refunds twice.
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
  const [restock, setRestock] = useState(false);
  const attempt = useRef<{ reason: string; restock: boolean; key: string } | null>(null);
  return (
    <ReasonAction
      name="refund"
      heading="Refund this order"
      target={`Refunds payment ${paymentId} of order ${orderId} in full; the customer is told by mail.`}
      button="Refund"
      run={async (reason) => {
        if (attempt.current?.reason !== reason || attempt.current.restock !== restock) {
          attempt.current = { reason, restock, key: crypto.randomUUID() };
        }
        const idempotencyKey = attempt.current.key;
        const { data } = await refund({ variables: { input: { paymentId, idempotencyKey, reason, restock } } });
        return data?.refundPayment.userErrors ?? [];
      }}
      onDone={onDone}
      options={(busy) => <RestockCheckbox id="refund-restock" checked={restock} onChange={setRestock} disabled={busy} />}
    />
  );
}
