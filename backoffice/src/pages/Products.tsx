import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Field } from '@storefront/components/Field';
import { LoadMore } from '@storefront/components/LoadMore';
import { ProblemMessage, problemOf } from '@storefront/components/Problem';
import type { FormErrors } from '@storefront/lib/errors';
import { formatMoney } from '@storefront/lib/money';
import { Link, navigate, useLocation } from '@storefront/lib/router';
import { graphql } from '../gql';
import type { ProductStatus } from '../gql/graphql';
import { useSubmitGuard } from '../lib/guard';
import { appendPage } from '../lib/pages';
import {
  catalogFormErrors,
  CURRENCIES,
  inCurrencyOrder,
  priceField,
  pricesFrom,
  PRODUCT_STATUS_LABEL,
  units,
} from '../lib/products';
import { ProductPage } from './product/ProductPage';
import {
  GeneralErrors,
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  PriceFields,
  priceValues,
  TextArea,
} from './product/fields';

// The catalog for staff with `catalog:write`: every product, archived ones too, searched by
// sku or name; "New product"; each product's page (details, prices, archive, stock).

const PAGE = 25;
const EMPTY: FormErrors = { fields: {}, general: [] };
const STATUSES: readonly ProductStatus[] = ['ACTIVE', 'ARCHIVED'];

export const StaffProductsQuery = graphql(`
  query StaffProducts($query: String, $status: ProductStatus, $first: Int!, $after: String) {
    staffProducts(query: $query, status: $status, first: $first, after: $after) {
      edges {
        node {
          sku
          name
          status
          prices {
            amount
            currency
          }
          stock {
            onHand
            reserved
            available
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

export const CreateProductMutation = graphql(`
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) {
      product {
        sku
        name
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

/** "New product": sku, name, description and a price per currency; it starts with no stock. */
function NewProductForm({ onCancel }: { onCancel: () => void }) {
  const [create, { loading }] = useMutation(CreateProductMutation);
  const [errors, setErrors] = useState<FormErrors>(EMPTY);
  const guard = useSubmitGuard();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []); // opened by the button above: go to it
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const { prices, currencies } = pricesFrom(priceValues(data));
    const input = {
      sku: String(data.get('sku') ?? '').trim(),
      name: String(data.get('name') ?? ''),
      description: String(data.get('description') ?? ''),
      prices,
    };
    void guard.run(async () => {
      setErrors(EMPTY);
      try {
        const result = await create({ variables: { input } });
        const payload = result.data?.createProduct;
        if (payload?.product) {
          navigate(`/products/${encodeURIComponent(payload.product.sku)}?created=1`);
          return;
        }
        const known = ['sku', 'name', 'description', ...CURRENCIES.map(priceField)];
        setErrors(catalogFormErrors(payload?.userErrors ?? [], currencies, known));
      } catch (caught) {
        setErrors({ fields: {}, general: [problemOf(caught).message] });
      }
    });
  };
  return (
    <form className="panel" aria-labelledby="new-product-heading" onSubmit={submit} noValidate>
      <h2 id="new-product-heading" ref={heading} tabIndex={-1}>
        New product
      </h2>
      <Field
        label="SKU"
        name="sku"
        hint="Capital letters, digits and dashes, e.g. MUG-BLUE; it cannot be changed later."
        autoComplete="off"
        required
        maxLength={40}
        error={errors.fields.sku}
      />
      <Field label="Name" name="name" autoComplete="off" required maxLength={MAX_NAME_LENGTH} error={errors.fields.name} />
      <TextArea label="Description" name="description" maxLength={MAX_DESCRIPTION_LENGTH} error={errors.fields.description} />
      <PriceFields errors={errors} />
      <p className="hint">The product starts with no stock: adjust its stock on its page.</p>
      <GeneralErrors errors={errors} />
      <button type="submit" className="primary" disabled={loading}>
        {loading ? 'Creating…' : 'Create product'}
      </button>{' '}
      <button type="button" onClick={onCancel} disabled={loading}>
        Cancel
      </button>
    </form>
  );
}

function searchPath(query: string, status: string): string {
  const params = new URLSearchParams();
  if (query) params.set('q', query);
  if (status) params.set('status', status);
  const search = params.toString();
  return search ? `/products?${search}` : '/products';
}

/** The list: a search on sku or name (`?q=`) and a status filter (`?status=`), both in the URL. */
function ProductList() {
  const location = useLocation();
  const term = (location.searchParams.get('q') ?? '').trim();
  const statusParam = location.searchParams.get('status') ?? '';
  const status = STATUSES.find((value) => value === statusParam) ?? null;
  const [draft, setDraft] = useState(term);
  const [shown, setShown] = useState(term); // the box follows the URL (back, forward, links)
  if (shown !== term) {
    setShown(term);
    setDraft(term);
  }
  const [creating, setCreating] = useState(false);
  const newButton = useRef<HTMLButtonElement>(null);
  const variables = { query: term || null, status, first: PAGE };
  const { data, loading, error, fetchMore } = useQuery(StaffProductsQuery, {
    variables,
    fetchPolicy: 'cache-and-network',
  });
  const products = data?.staffProducts;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    navigate(searchPath(draft.trim(), status ?? ''));
  };
  return (
    <>
      <h1>Products</h1>
      <p>
        <button
          type="button"
          className="primary"
          ref={newButton}
          aria-expanded={creating}
          onClick={() => setCreating((open) => !open)}
        >
          New product
        </button>
      </p>
      {creating ? (
        <NewProductForm
          onCancel={() => {
            setCreating(false);
            newButton.current?.focus();
          }}
        />
      ) : null}
      <form role="search" className="toolbar" onSubmit={submit}>
        <label htmlFor="product-search">Search products</label>
        <input
          id="product-search"
          type="search"
          name="q"
          placeholder="SKU or part of the name"
          value={draft}
          maxLength={200}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" className="primary">
          Search
        </button>
        <label htmlFor="product-status">Status</label>
        <select
          id="product-status"
          value={status ?? ''}
          onChange={(event) => navigate(searchPath(term, event.target.value))}
        >
          <option value="">All</option>
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {PRODUCT_STATUS_LABEL[value]}
            </option>
          ))}
        </select>
      </form>
      {error && !data ? <ProblemMessage error={error} /> : null}
      <div aria-live="polite">
        {loading && !products ? <p aria-busy="true">Loading products…</p> : null}
        {products && products.edges.length === 0 ? <p>No products match.</p> : null}
      </div>
      {products && products.edges.length ? (
        <table>
          <caption className="visually-hidden">Products{term ? ` matching “${term}”` : ''}</caption>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Prices</th>
              <th scope="col" className="number">
                On hand
              </th>
              <th scope="col" className="number">
                Reserved
              </th>
              <th scope="col" className="number">
                Available
              </th>
            </tr>
          </thead>
          <tbody>
            {products.edges.map(({ node }) => (
              <tr key={node.sku}>
                <td className="mono">
                  <Link href={`/products/${encodeURIComponent(node.sku)}`}>{node.sku}</Link>
                </td>
                <td>{node.name}</td>
                <td>
                  <span className={`status-badge product-${node.status.toLowerCase()}`}>
                    {PRODUCT_STATUS_LABEL[node.status]}
                  </span>
                </td>
                <td>{inCurrencyOrder(node.prices).map((price) => formatMoney(price)).join(' · ') || '—'}</td>
                <td className="number">{units(node.stock.onHand)}</td>
                <td className="number">{units(node.stock.reserved)}</td>
                <td className="number">{units(node.stock.available)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <LoadMore
        pageInfo={products?.pageInfo}
        fetchPage={(after) =>
          fetchMore({ variables: { ...variables, after }, updateQuery: appendPage('staffProducts') })
        }
      />
    </>
  );
}

/** /products (the list) and /products/<sku> (one product). */
export function ProductsPage({ path }: { path: string }) {
  const sku = path.startsWith('/products/') ? decodeURIComponent(path.slice('/products/'.length)) : '';
  return sku ? <ProductPage key={sku} sku={sku} /> : <ProductList />;
}
