import { useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { LoadMore } from '@storefront/components/LoadMore';
import { ProblemMessage } from '@storefront/components/Problem';
import { formatMoney, formatTime } from '@storefront/lib/money';
import { STATUS_LABEL } from '@storefront/lib/orderStatus';
import { Link } from '@storefront/lib/router';
import { graphql } from '../gql';
import type { OrderStatus, StaffOrderFilter } from '../gql/graphql';
import { OrderPage } from './order/OrderPage';

const PAGE = 25;
const STATUSES = Object.keys(STATUS_LABEL) as OrderStatus[];

export const StaffOrdersQuery = graphql(`
  query StaffOrders($filter: StaffOrderFilter, $first: Int!, $after: String) {
    staffOrders(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          status
          createdAt
          total {
            amount
            currency
          }
          user {
            id
            email
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

/** The customer a "Customer email" filter names: the account whose email it is, exactly. */
export const CustomerByEmailQuery = graphql(`
  query CustomerByEmail($email: String!) {
    customerByEmail(email: $email) {
      id
    }
  }
`);

interface Filters {
  status: OrderStatus | '';
  placedFrom: string; // yyyy-mm-dd, local day
  placedTo: string; // inclusive
  customerEmail: string;
  orderId: string;
}

const NO_FILTERS: Filters = { status: '', placedFrom: '', placedTo: '', customerEmail: '', orderId: '' };

/** The API's filter: local days as instants, "to" inclusive (so before the next day starts);
 * the customer by id (`customerId`, from the "Customer email" lookup). */
export function toFilter(filters: Filters, customerId?: string): StaffOrderFilter {
  const filter: StaffOrderFilter = {};
  if (customerId) filter.customerId = customerId;
  if (filters.status) filter.status = filters.status;
  if (filters.placedFrom) filter.createdFrom = new Date(`${filters.placedFrom}T00:00`).toISOString();
  if (filters.placedTo) {
    const end = new Date(`${filters.placedTo}T00:00`);
    end.setDate(end.getDate() + 1);
    filter.createdBefore = end.toISOString();
  }
  if (filters.orderId.trim()) filter.orderId = filters.orderId.trim();
  return filter;
}

/** The last characters of an id: enough to tell orders apart in a table; the full id is copied. */
export const shortId = (id: string) => id.slice(-8);

function CopyId({ id }: { id: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="link-button copy"
      aria-label={`Copy the full id of order ${shortId(id)}`}
      title={id}
      onClick={() => {
        void navigator.clipboard?.writeText(id).then(() => setCopied(true));
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

function FilterForm({ filters, onChange }: { filters: Filters; onChange: (filters: Filters) => void }) {
  const [orderId, setOrderId] = useState(filters.orderId);
  const [customerEmail, setCustomerEmail] = useState(filters.customerEmail);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ ...filters, orderId: orderId.trim(), customerEmail: customerEmail.trim() });
  };
  return (
    <form className="filters" aria-label="Filter orders" onSubmit={submit}>
      <div className="field">
        <label htmlFor="filter-status">Status</label>
        <select
          id="filter-status"
          value={filters.status}
          onChange={(event) => onChange({ ...filters, status: event.target.value as Filters['status'] })}
        >
          <option value="">Any</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABEL[status]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-from">Placed from</label>
        <input
          id="filter-from"
          type="date"
          value={filters.placedFrom}
          onChange={(event) => onChange({ ...filters, placedFrom: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="filter-to">Placed to</label>
        <input
          id="filter-to"
          type="date"
          value={filters.placedTo}
          onChange={(event) => onChange({ ...filters, placedTo: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="filter-customer">Customer email</label>
        <input
          id="filter-customer"
          type="email"
          value={customerEmail}
          onChange={(event) => setCustomerEmail(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="filter-order">Order id</label>
        <input id="filter-order" value={orderId} onChange={(event) => setOrderId(event.target.value)} />
      </div>
      <button type="submit">Filter</button>
      <button
        type="button"
        className="link-button"
        onClick={() => {
          setOrderId('');
          setCustomerEmail('');
          onChange(NO_FILTERS);
        }}
      >
        Clear filters
      </button>
    </form>
  );
}

/** Every customer's orders, newest first, filtered; "Load more" continues after the last row. */
export function OrdersList() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const email = filters.customerEmail; // trimmed when the form is sent
  const lookup = useQuery(CustomerByEmailQuery, { variables: { email }, skip: !email });
  const customerId = lookup.data?.customerByEmail?.id;
  // No account has the email: no orders to ask for (an empty filter would list everyone's).
  const noSuchCustomer = Boolean(email) && lookup.data !== undefined && customerId === undefined;
  const { data, loading, error, fetchMore } = useQuery(StaffOrdersQuery, {
    variables: { filter: toFilter(filters, customerId), first: PAGE },
    skip: Boolean(email) && customerId === undefined,
    // Back on the list after a change elsewhere: the rows shown at once, then read again.
    fetchPolicy: 'cache-and-network',
  });
  const connection = email && !customerId ? undefined : data?.staffOrders;
  return (
    <>
      <h1>Orders</h1>
      <FilterForm filters={filters} onChange={setFilters} />
      {error && !data ? <ProblemMessage error={error} /> : null}
      {lookup.error ? <ProblemMessage error={lookup.error} /> : null}
      <div aria-live="polite" aria-busy={loading || lookup.loading}>
        {noSuchCustomer ? <p>No customer has the email {filters.customerEmail}.</p> : null}
        {loading && !data ? <p>Loading orders…</p> : null}
        {connection && connection.edges.length === 0 ? <p>No orders match.</p> : null}
        {connection && connection.edges.length ? (
          <p className="hint">
            {connection.edges.length} order{connection.edges.length === 1 ? '' : 's'} shown
            {connection.pageInfo.hasNextPage ? ', more to load' : ''}.
          </p>
        ) : null}
      </div>
      {connection && connection.edges.length ? (
        <table className="orders-table">
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Customer</th>
              <th scope="col">Status</th>
              <th scope="col" className="number">
                Total
              </th>
              <th scope="col">Placed</th>
            </tr>
          </thead>
          <tbody>
            {connection.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>
                  <Link href={`/orders/${encodeURIComponent(node.id)}`} className="mono">
                    {shortId(node.id)}
                  </Link>{' '}
                  <CopyId id={node.id} />
                </td>
                <td>{node.user.email ?? '—'}</td>
                <td>
                  <span className={`status-badge status-${node.status.toLowerCase()}`}>{STATUS_LABEL[node.status]}</span>
                </td>
                <td className="number">{formatMoney(node.total)}</td>
                <td>
                  <time dateTime={node.createdAt}>{formatTime(node.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <LoadMore
        pageInfo={connection?.pageInfo}
        fetchPage={(after) =>
          fetchMore({
            variables: { filter: toFilter(filters, customerId), first: PAGE, after },
            // The next page goes under the rows shown (no cache policy: the field is this page's).
            updateQuery: (shown, { fetchMoreResult }) => ({
              ...fetchMoreResult,
              staffOrders: {
                ...fetchMoreResult.staffOrders,
                edges: [...shown.staffOrders.edges, ...fetchMoreResult.staffOrders.edges],
              },
            }),
          })
        }
      />
    </>
  );
}

/** The Orders page and, below it, one order (`/orders/<id>`). */
export default function OrdersSection({ path }: { path: string }) {
  const rest = path.slice('/orders'.length).replace(/^\//, '');
  if (!rest) return <OrdersList />;
  const id = decodeURIComponent(rest);
  return <OrderPage key={id} id={id} />; // keyed: what it follows live belongs to one order
}
