import { getFragmentData, graphql, type FragmentType } from '../../gql';
import { formatMoney } from '../../lib/money';

export const OrderItemsFragment = graphql(`
  fragment OrderItems_order on Order {
    total {
      amount
      currency
    }
    items {
      sku
      name
      quantity
      unitPrice {
        amount
        currency
      }
      lineTotal {
        amount
        currency
      }
    }
  }
`);

export function OrderItems({ order: masked }: { order: FragmentType<typeof OrderItemsFragment> }) {
  const order = getFragmentData(OrderItemsFragment, masked);
  return (
    <section aria-labelledby="items-heading">
      <h2 id="items-heading">Items</h2>
      <table className="items">
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Quantity</th>
            <th scope="col">Price</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((item) => (
            <tr key={item.sku}>
              <td>{item.name}</td>
              <td>{item.quantity}</td>
              <td>{formatMoney(item.unitPrice)}</td>
              <td>{formatMoney(item.lineTotal)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              Order total
            </th>
            <td>{formatMoney(order.total)}</td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}
