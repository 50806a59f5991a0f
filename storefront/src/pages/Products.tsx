import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { AddToCartButton, AvailabilityLabel } from '../components/AddToCart';
import { ProblemMessage } from '../components/Problem';
import { ProductPicture } from '../components/ProductPicture';
import { getFragmentData, graphql, type FragmentType } from '../gql';
import { formatMoney } from '../lib/money';
import { Link } from '../lib/router';

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
    available
    price(currency: "USD") {
      amount
      currency
    }
  }
`);

function ProductCard({ product: masked, onAdded }: { product: FragmentType<typeof ProductCardFragment>; onAdded: (name: string) => void }) {
  const product = getFragmentData(ProductCardFragment, masked);
  const nameId = `product-${product.sku}`;
  const stockId = `stock-${product.sku}`;
  return (
    <article className="card" aria-labelledby={nameId}>
      <ProductPicture sku={product.sku} />
      <h2 id={nameId}>
        <Link href={`/products/${encodeURIComponent(product.sku)}`}>{product.name}</Link>
      </h2>
      <p className="price">{product.price ? formatMoney(product.price) : 'Not sold in USD'}</p>
      <AvailabilityLabel id={stockId} available={product.available} />
      <AddToCartButton
        sku={product.sku}
        name={product.name}
        price={product.price}
        available={product.available}
        describedBy={`${nameId} ${stockId}`}
        onAdded={onAdded}
      />
    </article>
  );
}

export function ProductsPage() {
  // Stock moves while the page is away: shown from the cache at once, read again behind it.
  const { data, loading, error } = useQuery(ProductsQuery, { fetchPolicy: 'cache-and-network' });
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
