import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { ProblemMessage } from '../components/Problem';
import { ProductPicture } from '../components/ProductPicture';
import { ProductsQuery } from '../graphql/operations';
import { formatMoney } from '../lib/money';
import { useShop } from '../lib/shop';

export function ProductsPage() {
  const { data, loading, error } = useQuery(ProductsQuery);
  const { cart } = useShop();
  const [added, setAdded] = useState<string | null>(null);
  return (
    <>
      <h1>Products</h1>
      <p className="visually-hidden" role="status">
        {added ? `${added} added to the cart.` : ''}
      </p>
      {error && !data ? <ProblemMessage error={error} /> : null}
      {loading && !data ? (
        <ul className="grid" aria-busy="true" aria-label="Loading products">
          {[0, 1, 2, 3].map((n) => (
            <li key={n} className="card skeleton" />
          ))}
        </ul>
      ) : null}
      {data ? (
        <ul className="grid">
          {data.products.map((product) => (
            <li key={product.sku}>
              <article className="card" aria-labelledby={`product-${product.sku}`}>
                <ProductPicture sku={product.sku} />
                <h2 id={`product-${product.sku}`}>{product.name}</h2>
                <p className="price">{product.price ? formatMoney(product.price) : 'Not sold in USD'}</p>
                <button
                  type="button"
                  disabled={!product.price}
                  aria-describedby={`product-${product.sku}`}
                  onClick={() => {
                    if (!product.price) return;
                    cart.add({ sku: product.sku, name: product.name, unitPrice: product.price });
                    setAdded(product.name);
                  }}
                >
                  Add to cart
                </button>
              </article>
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
