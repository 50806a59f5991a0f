import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Field } from '@storefront/components/Field';
import { problemOf } from '@storefront/components/Problem';
import type { FormErrors } from '@storefront/lib/errors';
import { formatTime } from '@storefront/lib/money';
import { Link, useLocation } from '@storefront/lib/router';
import { graphql } from '../../gql';
import { useSubmitGuard } from '../../lib/guard';
import { catalogFormErrors, CURRENCIES, priceField, pricesFrom, PRODUCT_STATUS_LABEL, type Currency } from '../../lib/products';
import { GeneralErrors, MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, PriceFields, priceValues, TextArea } from './fields';
import { StockSection } from './Stock';

const EMPTY: FormErrors = { fields: {}, general: [] };

export const StaffProductQuery = graphql(`
  query StaffProduct($sku: String!) {
    product(sku: $sku) {
      sku
      name
      description
      status
      createdAt
      updatedAt
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
`);

export const UpdateProductMutation = graphql(`
  mutation UpdateProduct($input: UpdateProductInput!) {
    updateProduct(input: $input) {
      product {
        sku
        name
        description
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

export const ChangePricesMutation = graphql(`
  mutation ChangePrices($input: ChangePricesInput!) {
    changePrices(input: $input) {
      product {
        sku
        updatedAt
        prices {
          amount
          currency
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

export const ArchiveProductMutation = graphql(`
  mutation ArchiveProduct($input: ProductSkuInput!) {
    archiveProduct(input: $input) {
      product {
        sku
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

export const RestoreProductMutation = graphql(`
  mutation RestoreProduct($input: ProductSkuInput!) {
    restoreProduct(input: $input) {
      product {
        sku
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

interface Product {
  sku: string;
  name: string;
  description: string;
  status: 'ACTIVE' | 'ARCHIVED';
  prices: readonly { amount: string; currency: string }[];
}

/** A form's run: the guard, the errors and the confirmation it announces. */
function useFormRun() {
  const guard = useSubmitGuard();
  const [errors, setErrors] = useState<FormErrors>(EMPTY);
  const [done, setDone] = useState<string | null>(null);
  const run = (task: () => Promise<{ done: string } | { errors: FormErrors }>) =>
    void guard.run(async () => {
      setErrors(EMPTY);
      setDone(null);
      try {
        const outcome = await task();
        if ('done' in outcome) setDone(outcome.done);
        else setErrors(outcome.errors);
      } catch (caught) {
        setErrors({ fields: {}, general: [problemOf(caught).message] });
      }
    });
  return { errors, done, run };
}

function Confirmation({ text }: { text: string | null }) {
  return (
    <p className="confirmation" role="status">
      {text}
    </p>
  );
}

/** The prices as the form's boxes hold them, by currency. */
function priceDefaults(product: Product): Partial<Record<Currency, string>> {
  return Object.fromEntries(product.prices.map((price) => [price.currency, price.amount]));
}

const samePrices = (a: Partial<Record<Currency, string>>, b: Partial<Record<Currency, string>>) =>
  CURRENCIES.every((currency) => (a[currency] ?? '').trim() === (b[currency] ?? '').trim());

/**
 * Name, description and prices, one "Save": what changed is sent (`updateProduct`, then
 * `changePrices`, which replaces the price list; orders already placed keep their prices).
 * The sku never changes.
 */
function EditForm({ product }: { product: Product }) {
  const [update, updating] = useMutation(UpdateProductMutation);
  const [change, changing] = useMutation(ChangePricesMutation);
  const busy = updating.loading || changing.loading;
  const { errors, done, run } = useFormRun();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = String(data.get('name') ?? '');
    const description = String(data.get('description') ?? '');
    const values = priceValues(data);
    run(async () => {
      const detailsChanged = name !== product.name || description !== product.description;
      const pricesChanged = !samePrices(values, priceDefaults(product));
      if (!detailsChanged && !pricesChanged) return { done: 'Nothing changed.' };
      if (detailsChanged) {
        const payload = (await update({ variables: { input: { sku: product.sku, name, description } } })).data
          ?.updateProduct;
        if (!payload?.product) {
          return { errors: catalogFormErrors(payload?.userErrors ?? [], [], ['name', 'description']) };
        }
      }
      if (pricesChanged) {
        const { prices, currencies } = pricesFrom(values);
        const payload = (await change({ variables: { input: { sku: product.sku, prices } } })).data?.changePrices;
        if (!payload?.product) {
          const refused = catalogFormErrors(payload?.userErrors ?? [], currencies, CURRENCIES.map(priceField));
          if (detailsChanged) refused.general.unshift('The name and description are saved; the prices are not:');
          return { errors: refused };
        }
      }
      return { done: pricesChanged ? 'Saved. Orders already placed keep the prices they were placed at.' : 'Saved.' };
    });
  };
  return (
    <form className="panel" aria-labelledby="edit-heading" onSubmit={submit} noValidate>
      <h2 id="edit-heading">Details and prices</h2>
      <Field
        label="Name"
        name="name"
        autoComplete="off"
        required
        maxLength={MAX_NAME_LENGTH}
        defaultValue={product.name}
        disabled={busy}
        error={errors.fields.name}
      />
      <TextArea
        label="Description"
        name="description"
        maxLength={MAX_DESCRIPTION_LENGTH}
        defaultValue={product.description}
        disabled={busy}
        error={errors.fields.description}
      />
      <PriceFields errors={errors} defaults={priceDefaults(product)} disabled={busy} />
      <GeneralErrors errors={errors} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save'}
      </button>
      <Confirmation text={done} />
    </form>
  );
}

/** "Archive" (hidden from the shop, no new orders) or "Restore"; both name the product. */
function ArchiveSection({ product }: { product: Product }) {
  const [archive, archiving] = useMutation(ArchiveProductMutation);
  const [restore, restoring] = useMutation(RestoreProductMutation);
  const busy = archiving.loading || restoring.loading;
  const { errors, done, run } = useFormRun();
  const target = `${product.name} (${product.sku})`;
  const archived = product.status === 'ARCHIVED';
  const act = () =>
    run(async () => {
      const input = { sku: product.sku };
      const payload = archived
        ? (await restore({ variables: { input } })).data?.restoreProduct
        : (await archive({ variables: { input } })).data?.archiveProduct;
      if (payload?.product) {
        return { done: archived ? `${target} is back in the shop.` : `${target} is archived: the shop no longer sells it.` };
      }
      return { errors: catalogFormErrors(payload?.userErrors ?? [], [], []) };
    });
  return (
    <section className="panel" aria-labelledby="archive-heading">
      <h2 id="archive-heading">{archived ? 'Restore' : 'Archive'}</h2>
      <p id="archive-what">
        {archived
          ? `Restoring ${target} puts it back in the shop.`
          : `Archiving ${target} takes it out of the shop: nobody can order it. Orders already placed keep it; it can be restored.`}
      </p>
      <GeneralErrors errors={errors} />
      <button type="button" disabled={busy} aria-describedby="archive-what" onClick={act}>
        {busy ? 'Working…' : archived ? 'Restore' : 'Archive'}
      </button>
      <Confirmation text={done} />
    </section>
  );
}

/** /products/<sku>: the product, its details and prices to edit, archive or restore, its stock. */
export function ProductPage({ sku }: { sku: string }) {
  const created = useLocation().searchParams.has('created');
  const { data, loading, error } = useQuery(StaffProductQuery, {
    variables: { sku },
    fetchPolicy: 'cache-and-network',
  });
  const product = data?.product ?? null;
  const back = (
    <p>
      <Link href="/products">← Products</Link>
    </p>
  );
  if (loading && !product) return <>{back}<p aria-busy="true">Loading the product…</p></>;
  if (error && !product) {
    return (
      <>
        {back}
        <h1>Product</h1>
        <p className="error" role="alert">
          {problemOf(error).message}
        </p>
      </>
    );
  }
  if (!product) {
    return (
      <>
        {back}
        <h1>No such product</h1>
        <p>
          No product has the SKU <span className="mono">{sku}</span>.
        </p>
      </>
    );
  }
  return (
    <>
      {back}
      <h1>{product.name}</h1>
      {created ? (
        <p className="confirmation">Product created. It has no stock yet: adjust its stock below.</p>
      ) : null}
      <dl className="facts">
        <dt>SKU</dt>
        <dd className="mono">{product.sku}</dd>
        <dt>Status</dt>
        <dd>
          <span className={`status-badge product-${product.status.toLowerCase()}`} aria-live="polite">
            {PRODUCT_STATUS_LABEL[product.status]}
          </span>
        </dd>
        <dt>Created</dt>
        <dd>{formatTime(product.createdAt)}</dd>
        <dt>Last changed</dt>
        <dd>{formatTime(product.updatedAt)}</dd>
      </dl>
      <StockSection sku={product.sku} name={product.name} stock={product.stock} />
      <EditForm product={product} />
      <ArchiveSection product={product} />
    </>
  );
}
