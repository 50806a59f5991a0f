import { useQuery } from '@apollo/client/react';
import { useEffect, useRef } from 'react';
import { LoadMore } from '@storefront/components/LoadMore';
import { ProblemMessage } from '@storefront/components/Problem';
import { Link, navigate, useLocation } from '@storefront/lib/router';
import { graphql } from '../gql';
import { appendPage, formatWhen } from '../lib/pages';

const PAGE = 25;
/** Staff members read a page at a time for the filter (the API's most per page). */
const ACTORS_PAGE = 100;

export const StaffActivityQuery = graphql(`
  query StaffActivity($first: Int!, $after: String, $actorId: ID) {
    staffActivity(first: $first, after: $after, actorId: $actorId) {
      edges {
        node {
          id
          action
          actorId
          subjectId
          reason
          occurredAt
          correlationId
          details {
            name
            value
          }
          actor {
            id
            name
          }
          subject {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ActivityActorsQuery = graphql(`
  query ActivityActors($first: Int!, $after: String) {
    staffMembers(first: $first, after: $after) {
      edges {
        node {
          id
          name
          email
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** What each recorded event means, as a sentence fragment. */
const ACTION_LABEL: Record<string, string> = {
  'users.staff_created': 'Created a staff account',
  'users.staff_invited': 'Invited a staff member',
  'users.staff_invitation_accepted': 'Accepted an invitation',
  'users.staff_role_changed': 'Changed a role',
  'users.staff_disabled': 'Disabled an account',
  'orders.cancelled': 'Cancelled an order',
  'payments.refund_approved': 'Approved a refund request',
  'payments.refund_declined': 'Declined a refund request',
  'payments.refunded': 'Refunded an order',
  'stock.adjusted': 'Adjusted stock',
};

/** A catalog edit, by its `change` detail. */
const PRODUCT_CHANGE_LABEL: Record<string, string> = {
  created: 'Created a product',
  updated: 'Edited a product',
  prices_changed: 'Changed prices',
  archived: 'Archived a product',
  restored: 'Restored a product',
};

function actionLabel(entry: Entry): string {
  if (entry.action === 'catalog.product_changed') {
    return PRODUCT_CHANGE_LABEL[detail(entry, 'change') ?? ''] ?? 'Changed a product';
  }
  return ACTION_LABEL[entry.action] ?? entry.action;
}

type Entry = {
  action: string;
  subjectId: string | null;
  details: readonly { name: string; value: string }[];
  subject: { id: string; name: string } | null;
};

function detail(entry: Entry, name: string): string | undefined {
  return entry.details.find((d) => d.name === name)?.value;
}

/** The account, the order or the product (a link to its page) or the refund request acted upon. */
function Subject({ entry }: { entry: Entry }) {
  if (entry.subject) return <>{entry.subject.name}</>;
  const sku = detail(entry, 'sku');
  if (sku) {
    const delta = detail(entry, 'delta');
    const reason = detail(entry, 'adjustment_reason');
    const note = detail(entry, 'note');
    const change = [delta && Number(delta) > 0 ? `+${delta}` : delta, reason?.toLowerCase(), note]
      .filter(Boolean)
      .join(', ');
    return (
      <>
        <Link href={`/products/${encodeURIComponent(sku)}`}>{sku}</Link>
        {change ? ` (${change})` : ''}
      </>
    );
  }
  const order = detail(entry, 'order_id');
  const changes = entry.details.filter((d) => ['from', 'to', 'role', 'email'].includes(d.name));
  if (order) {
    return (
      <>
        {entry.action.startsWith('payments.refund_') ? 'Refund request for ' : ''}
        <Link href={`/orders/${encodeURIComponent(order)}`}>Order {order.slice(-8)}</Link>
      </>
    );
  }
  if (changes.length) return <>{changes.map((d) => `${d.name}: ${d.value}`).join(', ')}</>;
  return <>{entry.subjectId ?? '—'}</>;
}

function ActorFilter({ actorId }: { actorId: string }) {
  const { data, fetchMore } = useQuery(ActivityActorsQuery, {
    variables: { first: ACTORS_PAGE },
    errorPolicy: 'all',
  });
  const actors = data?.staffMembers.edges ?? [];
  const next = data?.staffMembers.pageInfo;
  // Every staff member is listed: the pages after the first are read one after the other. One
  // that fails stops there, and the hint below says the list is cut.
  const after = next?.hasNextPage ? next.endCursor : null;
  const asked = useRef<string | null>(null); // each page once (an effect may run twice)
  useEffect(() => {
    if (after && asked.current !== after) {
      asked.current = after;
      void fetchMore({
        variables: { first: ACTORS_PAGE, after },
        updateQuery: appendPage('staffMembers'),
      }).catch(() => undefined);
    }
  }, [after, fetchMore]);
  return (
    <div className="toolbar">
      <label htmlFor="activity-actor">Staff member</label>
      <select
        id="activity-actor"
        value={actorId}
        aria-describedby={next?.hasNextPage ? 'activity-actor-cut' : undefined}
        onChange={(event) => {
          const value = event.target.value;
          navigate(value ? `/activity?actor=${encodeURIComponent(value)}` : '/activity');
        }}
      >
        <option value="">Everyone</option>
        {actors.map(({ node }) => (
          <option key={node.id} value={node.id}>
            {node.name} ({node.email ?? node.id})
          </option>
        ))}
      </select>
      {next?.hasNextPage ? (
        <p className="hint" id="activity-actor-cut">
          Only the newest {actors.length} staff members are listed.
        </p>
      ) : null}
    </div>
  );
}

export function ActivityPage() {
  const location = useLocation();
  const actorId = location.searchParams.get('actor') ?? '';
  const variables = { first: PAGE, actorId: actorId || null };
  const { data, loading, error, fetchMore } = useQuery(StaffActivityQuery, {
    variables,
    fetchPolicy: 'cache-and-network',
  });
  const activity = data?.staffActivity;
  return (
    <>
      <h1>Activity</h1>
      <ActorFilter actorId={actorId} />
      {error && !data ? <ProblemMessage error={error} /> : null}
      {loading && !data ? <p aria-busy="true">Loading…</p> : null}
      <div aria-live="polite">{activity && activity.edges.length === 0 ? <p>Nothing recorded yet.</p> : null}</div>
      {activity && activity.edges.length ? (
        <table>
          <caption className="visually-hidden">What staff did, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Subject</th>
              <th scope="col">Reason</th>
              <th scope="col">Correlation id</th>
            </tr>
          </thead>
          <tbody>
            {activity.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>
                  <time dateTime={node.occurredAt}>{formatWhen(node.occurredAt)}</time>
                </td>
                <td>{node.actor?.name ?? (node.actorId ? node.actorId : 'Command line')}</td>
                <td title={node.action}>{actionLabel(node)}</td>
                <td>
                  <Subject entry={node} />
                </td>
                <td>{node.reason ?? '—'}</td>
                <td>
                  <code>{node.correlationId ?? '—'}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <LoadMore
        pageInfo={activity?.pageInfo}
        fetchPage={(after) => fetchMore({ variables: { ...variables, after }, updateQuery: appendPage('staffActivity') })}
      />
    </>
  );
}
