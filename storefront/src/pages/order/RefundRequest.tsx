import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { Field } from '../../components/Field';
import { problemOf } from '../../components/Problem';
import { getFragmentData, graphql, type FragmentType } from '../../gql';
import type { RefundRequestStatus } from '../../gql/graphql';
import { formErrors } from '../../lib/errors';
import { formatTime } from '../../lib/money';

/** How often an OPEN request is read again until staff decide (a decline moves no order status). */
export const REFUND_POLL_MS = 5_000;
const MAX_REASON_LENGTH = 500;

export const REFUND_REQUEST_LABEL: Record<RefundRequestStatus, string> = {
  OPEN: 'Refund requested',
  APPROVED: 'Refund approved',
  DECLINED: 'Refund declined',
};

export const RefundRequestFragment = graphql(`
  fragment RefundRequest_order on Order {
    id
    status
    payment {
      id
      status
    }
    refundRequest {
      id
      status
      reason
      requestedAt
      decidedAt
      decisionReason
    }
  }
`);

export const RequestRefundMutation = graphql(`
  mutation RequestRefund($input: RequestRefundInput!) {
    requestRefund(input: $input) {
      refundRequest {
        id
        status
        reason
        requestedAt
        decidedAt
        decisionReason
        order {
          id
          refundRequest {
            id
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

// Read while the request is OPEN: an approval also arrives by the order's status subscription
// (REFUNDED), a decline only this way.
export const OrderRefundRequestQuery = graphql(`
  query OrderRefundRequest($id: ID!) {
    order(id: $id) {
      id
      refundRequest {
        id
        status
        decidedAt
        decisionReason
      }
    }
  }
`);

/** A paid order's refund: the request form, then the request and the decision, kept current. */
export function RefundRequest({ order: masked }: { order: FragmentType<typeof RefundRequestFragment> }) {
  const order = getFragmentData(RefundRequestFragment, masked);
  const request = order.refundRequest;
  useQuery(OrderRefundRequestQuery, {
    variables: { id: order.id },
    skip: request?.status !== 'OPEN',
    pollInterval: REFUND_POLL_MS,
    fetchPolicy: 'network-only',
  });
  const canAsk =
    order.status === 'PAID' && order.payment?.status === 'SUCCEEDED' && (!request || request.status === 'DECLINED');
  if (!request && !canAsk) return null;
  return (
    <section aria-labelledby="refund-heading" className="refund">
      <h2 id="refund-heading">Refund</h2>
      {request ? (
        <div aria-live="polite" aria-atomic="true">
          <p className={`refund-status refund-${request.status.toLowerCase()}`}>
            {REFUND_REQUEST_LABEL[request.status]}{' '}
            <time dateTime={request.decidedAt ?? request.requestedAt}>
              {formatTime(request.decidedAt ?? request.requestedAt)}
            </time>
          </p>
          <p>Your reason: {request.reason}</p>
          {request.status === 'OPEN' ? <p className="hint">We will answer here and by mail.</p> : null}
          {request.decisionReason ? <p>Our answer: {request.decisionReason}</p> : null}
        </div>
      ) : null}
      {canAsk ? <RequestForm orderId={order.id} /> : null}
    </section>
  );
}

function RequestForm({ orderId }: { orderId: string }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [general, setGeneral] = useState<string | null>(null);
  const [requestRefund, state] = useMutation(RequestRefundMutation);

  const submit = async () => {
    setError(null);
    setGeneral(null);
    try {
      const { data } = await requestRefund({ variables: { input: { orderId, reason } } });
      const errors = formErrors(data?.requestRefund.userErrors ?? [], ['reason']);
      setError(errors.fields.reason ?? null);
      setGeneral(errors.general.length ? errors.general.join(' ') : null);
    } catch (caught) {
      setGeneral(problemOf(caught).message);
    }
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {general ? (
        <p className="error" role="alert">
          {general}
        </p>
      ) : null}
      <Field
        label="Reason"
        name="reason"
        hint="Tell us why; staff answer within a few days."
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        required
        maxLength={MAX_REASON_LENGTH}
        error={error ?? undefined}
        disabled={state.loading}
      />
      <button type="submit" disabled={state.loading}>
        Request a refund
      </button>
    </form>
  );
}
