import { useQuery } from '@apollo/client/react';
import { LoadMore } from '../components/LoadMore';
import { ProblemMessage } from '../components/Problem';
import { getFragmentData, graphql, type FragmentType } from '../gql';
import { formatMoney, formatTime } from '../lib/money';
import { STATUS_LABEL } from '../lib/orderStatus';
import { Link } from '../lib/router';

const PAGE = 10;

export const OrdersQuery = graphql(`
  query Orders($first: Int!, $after: String) {
    me {
      id
      orders(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            ...OrderRow_order
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

const OrderRowFragment = graphql(`
  fragment OrderRow_order on Order {
    id
    status
    createdAt
    total {
      amount
      currency
    }
  }
`);

function OrderRow({ order: masked }: { order: FragmentType<typeof OrderRowFragment> }) {
  const order = getFragmentData(OrderRowFragment, masked);
  return (
    <li className="row">
      <Link href={`/orders/${encodeURIComponent(order.id)}`}>Order {order.id.slice(-8)}</Link>
      <time dateTime={order.createdAt}>{formatTime(order.createdAt)}</time>
      <span className={`status-badge status-${order.status.toLowerCase()}`}>{STATUS_LABEL[order.status]}</span>
      <span className="amount">{formatMoney(order.total)}</span>
    </li>
  );
}

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
            <OrderRow key={node.id} order={node} />
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
