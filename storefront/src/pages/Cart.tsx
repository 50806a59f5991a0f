import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { problemOf } from '../components/Problem';
import { graphql } from '../gql';
import { estimatedTotal, MAX_QUANTITY, MIN_QUANTITY, orderInput } from '../lib/cart';
import { userErrorMessage } from '../lib/errors';
import { formatMoney } from '../lib/money';
import { Link, navigate } from '../lib/router';
import { useCart, useSession, useShop } from '../lib/shop';

export const CreateOrderMutation = graphql(`
  mutation CreateOrder($input: CreateOrderInput!) {
    createOrder(input: $input) {
      order {
        id
        status
        createdAt
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`);

/** The index of the cart line a createOrder userError names (`input.items.<n>...`), if any. */
function lineIndex(field: readonly string[] | null | undefined): number | null {
  const at = field?.indexOf('items') ?? -1;
  if (at < 0 || field === null || field === undefined) return null;
  const index = Number(field[at + 1]);
  return Number.isInteger(index) ? index : null;
}

export function CartPage() {
  const lines = useCart();
  const { cart } = useShop();
  const { signedIn, user } = useSession();
  const [createOrder, { loading }] = useMutation(CreateOrderMutation);
  const [lineErrors, setLineErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  if (lines.length === 0) {
    return (
      <>
        <h1>Cart</h1>
        <p>Your cart is empty.</p>
        <p>
          <Link href="/">Browse the products</Link>
        </p>
      </>
    );
  }
  const total = estimatedTotal(lines);

  const placeOrder = async () => {
    if (!signedIn) {
      navigate('/sign-in?next=/cart');
      return;
    }
    setError(null);
    setLineErrors({});
    try {
      const { data } = await createOrder({
        variables: { input: orderInput(lines) },
        // The order history starts with the new order: drop the cached pages, read them anew.
        update: (cache, result) => {
          if (!result.data?.createOrder.order || !user) return;
          cache.evict({ id: cache.identify({ __typename: 'User', id: user.id }), fieldName: 'orders' });
          cache.gc();
        },
      });
      const payload = data?.createOrder;
      if (payload?.order) {
        cart.clear();
        navigate(`/orders/${encodeURIComponent(payload.order.id)}`);
        return;
      }
      const perLine: Record<string, string> = {};
      const general: string[] = [];
      for (const problem of payload?.userErrors ?? []) {
        const index = lineIndex(problem.field);
        const line = index === null ? undefined : lines[index];
        if (line) perLine[line.sku] = userErrorMessage(problem);
        else general.push(userErrorMessage(problem));
      }
      setLineErrors(perLine);
      setError(general.join(' ') || (Object.keys(perLine).length ? 'Some lines need a change.' : null));
    } catch (caught) {
      setError(problemOf(caught).message);
    }
  };

  return (
    <>
      <h1>Cart</h1>
      <ul className="cart-lines">
        {lines.map((line) => (
          <li key={line.sku} className="cart-line">
            <div className="cart-line-name">
              <strong>{line.name}</strong>
              <span>{formatMoney(line.unitPrice)} each</span>
            </div>
            <div className="stepper">
              <button
                type="button"
                aria-label={`Fewer ${line.name}`}
                disabled={line.quantity <= MIN_QUANTITY}
                onClick={() => cart.setQuantity(line.sku, line.quantity - 1)}
              >
                −
              </button>
              <label className="visually-hidden" htmlFor={`qty-${line.sku}`}>
                Quantity of {line.name}
              </label>
              <input
                id={`qty-${line.sku}`}
                type="number"
                inputMode="numeric"
                min={MIN_QUANTITY}
                max={MAX_QUANTITY}
                value={line.quantity}
                aria-describedby={lineErrors[line.sku] ? `err-${line.sku}` : undefined}
                onChange={(event) => cart.setQuantity(line.sku, Number(event.target.value))}
              />
              <button
                type="button"
                aria-label={`More ${line.name}`}
                disabled={line.quantity >= MAX_QUANTITY}
                onClick={() => cart.setQuantity(line.sku, line.quantity + 1)}
              >
                +
              </button>
            </div>
            <button type="button" className="link-button" onClick={() => cart.remove(line.sku)}>
              Remove<span className="visually-hidden"> {line.name}</span>
            </button>
            {lineErrors[line.sku] ? (
              <p id={`err-${line.sku}`} className="error field-error">
                {lineErrors[line.sku]}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
      {total ? (
        <p className="total">
          Estimated total: <strong>{formatMoney(total)}</strong>
          <span className="hint"> (the final total is computed when you place the order)</span>
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="button" className="primary" onClick={placeOrder} disabled={loading}>
        {loading ? 'Placing order…' : 'Place order'}
      </button>
      {!signedIn ? <p className="hint">You will be asked to sign in first.</p> : null}
    </>
  );
}
