import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { AddToCartButton, AvailabilityLabel } from '../components/AddToCart';
import { ProblemMessage } from '../components/Problem';
import { ProductPicture } from '../components/ProductPicture';
import { graphql } from '../gql';
import { formatMoney } from '../lib/money';
import { Link } from '../lib/router';

export const ProductDetailQuery = graphql(`
  query ProductDetail($sku: String!) {
    product(sku: $sku) {
      sku
      name
      description
      status
      available
      price(currency: "USD") {
        amount
        currency
      }
    }
  }
`);

const back = (
  <p>
    <Link href="/">← All products</Link>
  </p>
);

/** /products/<sku>: the product, its price, whether it can be had, "Add to cart". */
export function ProductPage({ sku }: { sku: string }) {
  // The stock is read anew on each visit (the cached copy is shown meanwhile).
  const { data, loading, error } = useQuery(ProductDetailQuery, {
    variables: { sku },
    fetchPolicy: 'cache-and-network',
  });
  const [added, setAdded] = useState<string | null>(null);
  const product = data?.product ?? null;
  if (loading && !product) return <p aria-busy="true">Loading the product…</p>;
  if (error && !product) {
    return (
      <>
        <h1>Product</h1>
        <ProblemMessage error={error} />
        {back}
      </>
    );
  }
  if (!product) {
    return (
      <>
        <h1>Product not found</h1>
        <p>We have no product with that code.</p>
        {back}
      </>
    );
  }
  const archived = product.status === 'ARCHIVED';
  return (
    <>
      {back}
      <article className="product" aria-labelledby="product-name">
        <ProductPicture sku={product.sku} />
        <div className="product-text">
          <h1 id="product-name">{product.name}</h1>
          <p className="price">{product.price ? formatMoney(product.price) : 'Not sold in USD'}</p>
          {archived ? (
            <p id="product-stock" className="availability sold-out">
              No longer sold
            </p>
          ) : (
            <AvailabilityLabel id="product-stock" available={product.available} />
          )}
          {product.description ? <p className="description">{product.description}</p> : null}
          <AddToCartButton
            sku={product.sku}
            name={product.name}
            price={product.price}
            available={product.available}
            orderable={!archived}
            describedBy="product-stock"
            onAdded={setAdded}
          />
          <p role="status" className="confirmation">
            {added ? `${added} added to the cart.` : null}
          </p>
        </div>
      </article>
    </>
  );
}
