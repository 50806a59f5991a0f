import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Field } from '@storefront/components/Field';
import { LoadMore } from '@storefront/components/LoadMore';
import { ProblemMessage, problemOf } from '@storefront/components/Problem';
import type { FormErrors } from '@storefront/lib/errors';
import { formatTime } from '@storefront/lib/money';
import { Link } from '@storefront/lib/router';
import { graphql } from '../../gql';
import type { StockAdjustmentReason } from '../../gql/graphql';
import { useSubmitGuard } from '../../lib/guard';
import { catalogFormErrors, MOVEMENT_LABEL, parseDelta, REASON_LABEL, REASONS, signed, units } from '../../lib/products';
import { GeneralErrors } from './fields';

const HISTORY_PAGE = 20;
const EMPTY: FormErrors = { fields: {}, general: [] };
/** The longest note an adjustment takes (the catalog's `NOTE_TOO_LONG`). */
const MAX_NOTE_LENGTH = 500;

export const StockHistoryQuery = graphql(`
  query StaffStockHistory($sku: String!, $first: Int!, $after: String) {
    product(sku: $sku) {
      sku
      stockHistory(first: $first, after: $after) {
        edges {
          node {
            id
            at
            kind
            onHandDelta
            reservedDelta
            onHand
            reserved
            note
            orderId
            actor {
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
  }
`);

export const AdjustStockMutation = graphql(`
  mutation AdjustStock($input: AdjustStockInput!) {
    adjustStock(input: $input) {
      product {
        sku
        available
        updatedAt
        stock {
          onHand
          reserved
          available
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

export interface StockLevels {
  onHand: number;
  reserved: number;
  available: number;
}

/** "Adjust stock": a signed change, its reason and a note; on the record with the staff member's name. */
function AdjustStockForm({ sku, name }: { sku: string; name: string }) {
  // The answer updates the product's levels in the cache; the history is read again.
  const [adjust, { loading }] = useMutation(AdjustStockMutation, { refetchQueries: [StockHistoryQuery] });
  const [errors, setErrors] = useState<FormErrors>(EMPTY);
  const [done, setDone] = useState<string | null>(null);
  const guard = useSubmitGuard();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const delta = parseDelta(String(data.get('delta') ?? ''));
    setDone(null);
    if (delta === null) {
      setErrors({ fields: { delta: 'Enter a whole number of units: 10 adds ten, -2 removes two.' }, general: [] });
      return;
    }
    const reason = String(data.get('reason')) as StockAdjustmentReason;
    const note = String(data.get('note') ?? '').trim() || null;
    void guard.run(async () => {
      setErrors(EMPTY);
      try {
        const result = await adjust({ variables: { input: { sku, delta, reason, note } } });
        const payload = result.data?.adjustStock;
        if (payload?.product) {
          const { onHand, available } = payload.product.stock;
          setDone(`Stock of ${name} adjusted by ${signed(delta)}: ${units(onHand)} on hand, ${units(available)} available.`);
          form.reset();
          return;
        }
        // Below zero is about the change against the stock, not the box: said above the button.
        const refused = (payload?.userErrors ?? []).map((error) =>
          error.code === 'STOCK_BELOW_ZERO' ? { ...error, field: null } : error,
        );
        setErrors(catalogFormErrors(refused, [], ['delta', 'reason', 'note']));
      } catch (caught) {
        setErrors({ fields: {}, general: [problemOf(caught).message] });
      }
    });
  };
  return (
    <form className="panel" aria-labelledby="adjust-heading" onSubmit={submit} noValidate>
      <h3 id="adjust-heading">Adjust stock</h3>
      <Field
        label="Change"
        name="delta"
        inputMode="numeric"
        autoComplete="off"
        hint="Units to add, or a negative number to remove: 10 adds ten, -2 removes two."
        required
        disabled={loading}
        error={errors.fields.delta}
      />
      <div className="field">
        <label htmlFor="field-reason">Reason</label>
        <select
          id="field-reason"
          name="reason"
          defaultValue="RECEIVED"
          disabled={loading}
          aria-invalid={errors.fields.reason ? true : undefined}
        >
          {REASONS.map((reason) => (
            <option key={reason} value={reason}>
              {REASON_LABEL[reason]}
            </option>
          ))}
        </select>
        {errors.fields.reason ? <p className="error field-error">{errors.fields.reason}</p> : null}
      </div>
      <Field
        label="Note"
        name="note"
        autoComplete="off"
        hint="Optional: a delivery note, a count sheet."
        maxLength={MAX_NOTE_LENGTH}
        disabled={loading}
        error={errors.fields.note}
      />
      <GeneralErrors errors={errors} />
      <button type="submit" className="primary" disabled={loading}>
        {loading ? 'Adjusting…' : 'Adjust stock'}
      </button>
      <p className="confirmation" role="status">
        {done}
      </p>
    </form>
  );
}

/** Newest first: every movement with the stock after it, who or which order moved it. */
function StockHistory({ sku }: { sku: string }) {
  const { data, error, loading, fetchMore } = useQuery(StockHistoryQuery, {
    variables: { sku, first: HISTORY_PAGE },
    fetchPolicy: 'cache-and-network',
  });
  const history = data?.product?.stockHistory;
  return (
    <section aria-labelledby="history-heading">
      <h3 id="history-heading">Stock history</h3>
      {error && !data ? <ProblemMessage error={error} /> : null}
      {loading && !history ? <p aria-busy="true">Loading the history…</p> : null}
      {history && history.edges.length === 0 ? <p>No stock movements yet.</p> : null}
      {history && history.edges.length ? (
        <table className="stock-history">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Movement</th>
              <th scope="col" className="number">
                On hand change
              </th>
              <th scope="col" className="number">
                Reserved change
              </th>
              <th scope="col" className="number">
                On hand after
              </th>
              <th scope="col" className="number">
                Reserved after
              </th>
              <th scope="col">By</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {history.edges.map(({ node }) => (
              <tr key={node.id}>
                <td>
                  <time dateTime={node.at}>{formatTime(node.at)}</time>
                </td>
                <td>{MOVEMENT_LABEL[node.kind]}</td>
                <td className="number">{signed(node.onHandDelta)}</td>
                <td className="number">{signed(node.reservedDelta)}</td>
                <td className="number">{units(node.onHand)}</td>
                <td className="number">{units(node.reserved)}</td>
                <td>
                  {node.actor ? node.actor.name : null}
                  {node.actor && node.orderId ? ', ' : null}
                  {node.orderId ? (
                    <Link href={`/orders/${encodeURIComponent(node.orderId)}`}>Order {node.orderId.slice(-8)}</Link>
                  ) : null}
                  {!node.actor && !node.orderId ? 'System' : null}
                </td>
                <td>{node.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <LoadMore
        pageInfo={history?.pageInfo}
        fetchPage={(after) =>
          fetchMore({
            variables: { sku, first: HISTORY_PAGE, after },
            updateQuery: (previous, { fetchMoreResult }) =>
              previous.product && fetchMoreResult.product
                ? {
                    ...previous,
                    product: {
                      ...previous.product,
                      stockHistory: {
                        ...fetchMoreResult.product.stockHistory,
                        edges: [...previous.product.stockHistory.edges, ...fetchMoreResult.product.stockHistory.edges],
                      },
                    },
                  }
                : previous,
          })
        }
      />
    </section>
  );
}

/** The stock of one product: the levels, "Adjust stock" and the history (read again after each change). */
export function StockSection({ sku, name, stock }: { sku: string; name: string; stock: StockLevels }) {
  return (
    <section aria-labelledby="stock-heading">
      <h2 id="stock-heading">Stock</h2>
      <dl className="facts stock-levels" aria-live="polite">
        <dt>On hand</dt>
        <dd>{units(stock.onHand)}</dd>
        <dt>Reserved</dt>
        <dd>{units(stock.reserved)}</dd>
        <dt>Available</dt>
        <dd>{units(stock.available)}</dd>
      </dl>
      <AdjustStockForm sku={sku} name={name} />
      <StockHistory sku={sku} />
    </section>
  );
}
