import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { ProblemMessage } from '../components/Problem';
import { ProductPicture } from '../components/ProductPicture';
import { getFragmentData, graphql, type FragmentType } from '../gql';
import { formatMoney } from '../lib/money';
import { useShop } from '../lib/shop';

export const ProductsQuery = graphql(`
  query Products {
    products {
      sku
      ...ProductCard_product
    }
  }
`);

const ProductCardFragment = graphql(`
  fragment ProductCard_product on Product {
    sku
    name
    price(currency: "USD") {
      amount
      currency
    }
  }
`);

function ProductCard({ product: masked, onAdded }: { product: FragmentType<typeof ProductCardFragment>; onAdded: (name: string) => void }) {
  const product = getFragmentData(ProductCardFragment, masked);
  const { cart } = useShop();
  return (
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
          onAdded(product.name);
        }}
      >
        Add to cart
      </button>
    </article>
  );
}

export function ProductsPage() {
  const { data, loading, error } = useQuery(ProductsQuery);
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
              <ProductCard product={product} onAdded={setAdded} />
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
