import { useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { LoadMore } from '@storefront/components/LoadMore';
import { ProblemMessage } from '@storefront/components/Problem';
import { formatMoney } from '@storefront/lib/money';
import { STATUS_LABEL } from '@storefront/lib/orderStatus';
import { Link, navigate, useLocation } from '@storefront/lib/router';
import { graphql } from '../gql';
import { appendPage, formatWhen } from '../lib/pages';

const PAGE = 20;

export const StaffCustomersQuery = graphql(`
  query StaffCustomers($query: String!, $first: Int!, $after: String) {
    customers(query: $query, first: $first, after: $after) {
      edges {
        node {
          id
          name
          email
          phone
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const StaffCustomerQuery = graphql(`
  query StaffCustomer($id: ID!) {
    user(id: $id) {
      id
      name
      email
      phone
      createdAt
    }
  }
`);

export const StaffCustomerOrdersQuery = graphql(`
  query StaffCustomerOrders($customerId: ID!, $first: Int!, $after: String) {
    staffOrders(filter: { customerId: $customerId }, first: $first, after: $after) {
      edges {
        node {
          id
          status
          createdAt
          total {
            amount
            currency
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

/** The search: an email's start or part of a name; the term lives in the URL (`?q=`). */
function CustomerSearch() {
  const location = useLocation();
  const term = (location.searchParams.get('q') ?? '').trim();
  const [draft, setDraft] = useState(term);
  // The box follows the URL: back and forward (or a link) change the term, the box shows it.
  const [shown, setShown] = useState(term);
  if (shown !== term) {
    setShown(term);
    setDraft(term);
  }
  const { data, loading, error, fetchMore } = useQuery(StaffCustomersQuery, {
    variables: { query: term, first: PAGE },
    skip: !term,
  });
  const found = term ? data?.customers : undefined;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next = draft.trim();
    navigate(next ? `/customers?q=${encodeURIComponent(next)}` : '/customers');
  };
  return (
    <>
      <h1>Customers</h1>
      <form role="search" className="toolbar" onSubmit={submit}>
        <label htmlFor="customer-search">Email or name</label>
        <input
          id="customer-search"
          type="search"
          name="q"
          value={draft}
          maxLength={254}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      {error ? <ProblemMessage error={error} /> : null}
      <div aria-live="polite">
        {!term ? <p>Search for a customer by the start of their email or part of their name.</p> : null}
        {term && loading && !found ? <p aria-busy="true">Searching…</p> : null}
        {found && found.edges.length === 0 ? <p>No customers found</p> : null}
        {found && found.edges.length ? (
          <p className="hint">
            {found.edges.length}
            {found.pageInfo.hasNextPage ? '+' : ''} found for “{term}”
          </p>
        ) : null}
      </div>
      {found && found.edges.length ? (
        <table>
          <caption className="visually-hidden">Customers matching “{term}”</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Phone</th>
              <th scope="col">Joined</th>
            </tr>
          </thead>
          <tbody>
            {found.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>
                  <Link href={`/customers/${encodeURIComponent(node.id)}`}>{node.name}</Link>
                </td>
                <td>{node.email}</td>
                <td>{node.phone ?? '—'}</td>
                <td>{formatWhen(node.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <LoadMore
        pageInfo={found?.pageInfo}
        fetchPage={(after) =>
          fetchMore({ variables: { query: term, first: PAGE, after }, updateQuery: appendPage('customers') })
        }
      />
    </>
  );
}

function CustomerOrders({ customerId }: { customerId: string }) {
  const { data, error, loading, fetchMore } = useQuery(StaffCustomerOrdersQuery, {
    variables: { customerId, first: PAGE },
  });
  const orders = data?.staffOrders;
  return (
    <section aria-labelledby="customer-orders">
      <h2 id="customer-orders">Orders</h2>
      {error && !data ? <ProblemMessage error={error} /> : null}
      {loading && !data ? <p aria-busy="true">Loading orders…</p> : null}
      {orders && orders.edges.length === 0 ? <p>No orders yet.</p> : null}
      {orders && orders.edges.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Status</th>
              <th scope="col">Total</th>
              <th scope="col">Placed</th>
            </tr>
          </thead>
          <tbody>
            {orders.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>
                  <Link href={`/orders/${encodeURIComponent(node.id)}`}>Order {node.id.slice(-8)}</Link>
                </td>
                <td>
                  <span className={`status-badge status-${node.status.toLowerCase()}`}>{STATUS_LABEL[node.status]}</span>
                </td>
                <td>{formatMoney(node.total)}</td>
                <td>{formatWhen(node.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <LoadMore
        pageInfo={orders?.pageInfo}
        fetchPage={(after) =>
          fetchMore({ variables: { customerId, first: PAGE, after }, updateQuery: appendPage('staffOrders') })
        }
      />
    </section>
  );
}

function CustomerDetail({ id }: { id: string }) {
  const { data, loading, error } = useQuery(StaffCustomerQuery, { variables: { id } });
  const customer = data?.user;
  return (
    <>
      <p>
        <Link href="/customers">← Customers</Link>
      </p>
      {error && !data ? <ProblemMessage error={error} /> : null}
      {loading && !data ? <p aria-busy="true">Loading…</p> : null}
      {data && !customer ? <h1>No such customer</h1> : null}
      {customer ? (
        <>
          <h1>{customer.name}</h1>
          <dl className="facts">
            <dt>Email</dt>
            <dd>{customer.email ?? '—'}</dd>
            <dt>Phone</dt>
            <dd>{customer.phone ?? '—'}</dd>
            <dt>Joined</dt>
            <dd>{formatWhen(customer.createdAt)}</dd>
            <dt>Customer id</dt>
            <dd>
              <code>{customer.id}</code>
            </dd>
          </dl>
          <CustomerOrders customerId={customer.id} />
        </>
      ) : null}
    </>
  );
}

/** /customers (the search) and /customers/<id> (one customer and their orders). */
export function CustomersPage({ path }: { path: string }) {
  const id = path.startsWith('/customers/') ? decodeURIComponent(path.slice('/customers/'.length)) : '';
  return id ? <CustomerDetail id={id} /> : <CustomerSearch />;
}
