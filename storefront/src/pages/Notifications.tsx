import { useQuery } from '@apollo/client/react';
import { LoadMore } from '../components/LoadMore';
import { ProblemMessage } from '../components/Problem';
import { getFragmentData, graphql, type FragmentType } from '../gql';
import { formatTime } from '../lib/money';

const PAGE = 20;
const CHANNEL = { EMAIL: 'Email', SMS: 'SMS' } as const;
const STATUS = { QUEUED: 'Queued', SENT: 'Sent', DELIVERED: 'Delivered', FAILED: 'Failed' } as const;

export const NotificationsQuery = graphql(`
  query Notifications($first: Int!, $after: String) {
    me {
      id
      notifications(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            ...NotificationRow_notification
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

const NotificationRowFragment = graphql(`
  fragment NotificationRow_notification on Notification {
    id
    channel
    subject
    status
    failureReason
    createdAt
    sentAt
  }
`);

function NotificationRow({ notification: masked }: { notification: FragmentType<typeof NotificationRowFragment> }) {
  const node = getFragmentData(NotificationRowFragment, masked);
  return (
    <li className="row">
      <strong className="subject">{node.subject}</strong>
      <span>{CHANNEL[node.channel]}</span>
      <span className={`status-badge notification-${node.status.toLowerCase()}`}>
        {STATUS[node.status]}
        {node.status === 'FAILED' && node.failureReason ? `: ${node.failureReason.replaceAll('_', ' ')}` : ''}
      </span>
      <time dateTime={node.sentAt ?? node.createdAt}>{formatTime(node.sentAt ?? node.createdAt)}</time>
    </li>
  );
}

export default function NotificationsPage() {
  const { data, loading, error, fetchMore } = useQuery(NotificationsQuery, {
    variables: { first: PAGE },
    fetchPolicy: 'cache-and-network',
    pollInterval: 15_000, // new receipts show up without a reload
  });
  const connection = data?.me?.notifications;
  return (
    <>
      <h1>Notifications</h1>
      {error && !data ? <ProblemMessage error={error} /> : null}
      {loading && !data ? <p aria-busy="true">Loading your notifications…</p> : null}
      {connection && connection.edges.length === 0 ? <p>Nothing yet: receipts and order news will show up here.</p> : null}
      {connection && connection.edges.length ? (
        <ul className="rows">
          {connection.edges.map(({ node }) => (
            <NotificationRow key={node.id} notification={node} />
          ))}
        </ul>
      ) : null}
      <LoadMore
        pageInfo={connection?.pageInfo}
        fetchPage={(after) => fetchMore({ variables: { first: PAGE, after } })}
      />
    </>
  );
}
