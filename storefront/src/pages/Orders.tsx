import { useQuery } from '@apollo/client/react';
import { LoadMore } from '../components/LoadMore';
import { ProblemMessage } from '../components/Problem';
import { OrdersQuery } from '../graphql/operations';
import { formatMoney, formatTime } from '../lib/money';
import { STATUS_LABEL } from '../lib/orderStatus';
import { Link } from '../lib/router';

const PAGE = 10;

export default function OrdersPage() {
  const { data, loading, error, fetchMore } = useQuery(OrdersQuery, { variables: { first: PAGE } });
  const connection = data?.me?.orders;
  return (
    <>
      <h1>Orders</h1>
      {error && !data ? <ProblemMessage error={error} /> : null}
      {loading && !data ? <p aria-busy="true">Loading your orders…</p> : null}
      {connection && connection.edges.length === 0 ? (
        <p>
          No orders yet. <Link href="/">Find something you like</Link>
        </p>
      ) : null}
      {connection && connection.edges.length ? (
        <ul className="rows">
          {connection.edges.map(({ node }) => (
            <li key={node.id} className="row">
              <Link href={`/orders/${encodeURIComponent(node.id)}`}>Order {node.id.slice(-8)}</Link>
              <time dateTime={node.createdAt}>{formatTime(node.createdAt)}</time>
              <span className={`status-badge status-${node.status.toLowerCase()}`}>{STATUS_LABEL[node.status]}</span>
              <span className="amount">{formatMoney(node.total)}</span>
            </li>
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
