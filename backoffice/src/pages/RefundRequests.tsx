import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useState, type FormEvent } from 'react';
import { Field } from '@storefront/components/Field';
import { LoadMore } from '@storefront/components/LoadMore';
import { ProblemMessage, problemOf } from '@storefront/components/Problem';
import { userErrorMessage, type UserErrorLike } from '@storefront/lib/errors';
import { formatMoney, formatTime } from '@storefront/lib/money';
import { Link } from '@storefront/lib/router';
import { getFragmentData, graphql, type FragmentType } from '../gql';
import { ageOf } from '../lib/age';
import { useSubmitGuard } from '../lib/guard';
import { MAX_REASON_LENGTH } from '../lib/reason';
import { RestockCheckbox } from './order/Actions';

// The refund requests waiting for a decision, the longest waiting first: approve (the refund runs
// at once) or decline with a reason (mailed to the customer). A request decided elsewhere
// meanwhile answers REFUND_REQUEST_DECIDED: its message is announced and it leaves the list.

const PAGE = 25;
/** The codes after which a request is no longer waiting here (nothing was written). */
const GONE = new Set(['REFUND_REQUEST_DECIDED', 'REFUND_REQUEST_NOT_FOUND']);

export const RefundQueueQuery = graphql(`
  query RefundQueue($first: Int!, $after: String) {
    refundRequests(status: OPEN, oldestFirst: true, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          ...RefundQueueRow_request
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const RefundQueueRowFragment = graphql(`
  fragment RefundQueueRow_request on RefundRequest {
    id
    status
    reason
    requestedAt
    order {
      id
      user {
        id
        name
        email
      }
    }
    payment {
      id
      amount {
        amount
        currency
      }
    }
  }
`);

export const ApproveRefundRequestMutation = graphql(`
  mutation ApproveRefundRequest($input: ApproveRefundRequestInput!) {
    approveRefundRequest(input: $input) {
      refundRequest {
        id
        status
        decidedAt
      }
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

export const DeclineRefundRequestMutation = graphql(`
  mutation DeclineRefundRequest($input: DeclineRefundRequestInput!) {
    declineRefundRequest(input: $input) {
      refundRequest {
        id
        status
        decidedAt
        decisionReason
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

type Announcement = { text: string; error: boolean };
type Decided = (requestId: string, announcement: Announcement, gone: boolean) => void;

/** The current time, moved on every minute (the ages in the queue). */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 60_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function orderLabel(orderId: string): string {
  return `Order ${orderId.slice(-8)}`;
}

function RequestRow({
  request: masked,
  now,
  declining,
  onDeclining,
  onDecided,
}: {
  request: FragmentType<typeof RefundQueueRowFragment>;
  now: number;
  declining: boolean;
  onDeclining: (open: boolean) => void;
  onDecided: Decided;
}) {
  const request = getFragmentData(RefundQueueRowFragment, masked);
  const [approve, approving] = useMutation(ApproveRefundRequestMutation);
  const [decline, declineState] = useMutation(DeclineRefundRequestMutation);
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [restock, setRestock] = useState(false);
  // One decision at a time: a second click in the same tick is dropped (no double submit).
  const guard = useSubmitGuard();
  const busy = approving.loading || declineState.loading;
  const order = orderLabel(request.order.id);
  const customer = request.order.user;

  const settle = (errors: readonly UserErrorLike[], done: string) => {
    const gone = errors.find((error) => GONE.has(error.code));
    if (gone) {
      onDecided(request.id, { text: `${order}: ${userErrorMessage(gone)}`, error: true }, true);
    } else if (errors.length === 0) {
      onDecided(request.id, { text: done, error: false }, true);
    } else {
      onDecided(request.id, { text: `${order}: ${errors.map(userErrorMessage).join(' ')}`, error: true }, false);
    }
  };

  const run = (decide: () => Promise<void>) =>
    guard.run(async () => {
      try {
        await decide();
      } catch (caught) {
        onDecided(request.id, { text: `${order}: ${problemOf(caught).message}`, error: true }, false);
      }
    });

  const onApprove = () =>
    run(async () => {
      const { data } = await approve({ variables: { input: { requestId: request.id, restock } } });
      const units = restock ? ', its units return to stock' : '';
      settle(data?.approveRefundRequest.userErrors ?? [], `Refund approved for ${order}: the payment is refunded${units}.`);
    });

  const onDecline = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get('reason') ?? '').trim();
    if (!reason) {
      setReasonError('Give the customer a reason.');
      return;
    }
    setReasonError(null);
    void run(async () => {
      const { data } = await decline({ variables: { input: { requestId: request.id, reason } } });
      const errors = data?.declineRefundRequest.userErrors ?? [];
      const onReason = errors.find((error) => error.field?.includes('reason'));
      if (onReason) {
        setReasonError(userErrorMessage(onReason));
        return;
      }
      settle(errors, `Refund request for ${order} declined: the customer is mailed your reason.`);
    });
  };

  return (
    <tr>
      <td>
        <time dateTime={request.requestedAt} title={formatTime(request.requestedAt)}>
          {ageOf(request.requestedAt, now)}
        </time>
      </td>
      <td>
        {customer.name}
        {customer.email ? <span className="hint"> {customer.email}</span> : null}
      </td>
      <td>
        <Link href={`/orders/${encodeURIComponent(request.order.id)}`}>{order}</Link>
      </td>
      <td className="amount">{request.payment ? formatMoney(request.payment.amount) : '—'}</td>
      <td className="reason">{request.reason}</td>
      <td className="decide">
        {declining ? (
          <form onSubmit={onDecline} noValidate aria-label={`Decline the refund of ${order}`}>
            <Field
              label="Reason"
              name="reason"
              hint="Mailed to the customer and kept on the record."
              required
              maxLength={MAX_REASON_LENGTH}
              autoFocus
              disabled={busy}
              error={reasonError ?? undefined}
            />
            <button type="submit" className="primary" disabled={busy}>
              {declineState.loading ? 'Declining…' : 'Decline'}
            </button>{' '}
            <button type="button" disabled={busy} onClick={() => onDeclining(false)}>
              Keep open
            </button>
          </form>
        ) : (
          <>
            <RestockCheckbox id={`restock-${request.id}`} checked={restock} onChange={setRestock} disabled={busy} compact />
            <button type="button" className="primary" disabled={busy} onClick={() => void onApprove()}>
              {approving.loading ? 'Approving…' : 'Approve'}
            </button>{' '}
            <button type="button" disabled={busy} onClick={() => onDeclining(true)}>
              Decline
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

export function RefundRequestsPage() {
  const { data, loading, error, fetchMore, refetch } = useQuery(RefundQueueQuery, {
    variables: { first: PAGE },
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
  });
  const now = useNow();
  const [gone, setGone] = useState<ReadonlySet<string>>(new Set());
  const [declining, setDeclining] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState<Announcement | null>(null);
  const connection = data?.refundRequests;
  // A decision answered here updates the request's status in the cache (no longer OPEN); one
  // decided elsewhere is dropped by id.
  const waiting = (connection?.edges ?? []).filter(
    ({ node }) => !gone.has(node.id) && getFragmentData(RefundQueueRowFragment, node).status === 'OPEN',
  );

  const decided: Decided = (requestId, said, leaves) => {
    setAnnouncement(said);
    if (leaves) {
      setGone((before) => new Set(before).add(requestId));
      setDeclining((current) => (current === requestId ? null : current));
    }
  };

  return (
    <>
      <h1>Refund requests</h1>
      <p className="hint">
        Waiting for a decision, the longest waiting first. Approving refunds the payment at once; declining mails the
        customer your reason.
      </p>
      <p className={announcement?.error ? 'error' : 'confirmation'} aria-live="polite" aria-atomic="true">
        {announcement?.text}
      </p>
      {error && !data ? <ProblemMessage error={error} /> : null}
      {loading && !data ? <p aria-busy="true">Loading the refund requests…</p> : null}
      {connection && waiting.length === 0 && !connection.pageInfo.hasNextPage ? (
        <p>No refund requests are waiting for a decision.</p>
      ) : null}
      {waiting.length ? (
        <table className="queue">
          <caption className="visually-hidden">Refund requests waiting for a decision, the longest waiting first</caption>
          <thead>
            <tr>
              <th scope="col">Waiting</th>
              <th scope="col">Customer</th>
              <th scope="col">Order</th>
              <th scope="col">Amount</th>
              <th scope="col">Reason</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {waiting.map(({ node }) => (
              <RequestRow
                key={node.id}
                request={node}
                now={now}
                declining={declining === node.id}
                onDeclining={(open) => setDeclining(open ? node.id : null)}
                onDecided={decided}
              />
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="queue-actions">
        <LoadMore
          pageInfo={connection?.pageInfo}
          fetchPage={(after) =>
            fetchMore({
              variables: { first: PAGE, after },
              updateQuery: (previous, { fetchMoreResult }) => ({
                ...previous,
                refundRequests: {
                  ...fetchMoreResult.refundRequests,
                  edges: [...previous.refundRequests.edges, ...fetchMoreResult.refundRequests.edges],
                },
              }),
            })
          }
        />{' '}
        <button
          type="button"
          disabled={loading}
          onClick={() => {
            setAnnouncement(null);
            refetch().catch(() => undefined);
          }}
        >
          {loading && data ? 'Refreshing…' : 'Refresh'}
        </button>
      </p>
    </>
  );
}
