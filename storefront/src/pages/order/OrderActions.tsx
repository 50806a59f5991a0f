import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { problemOf } from '../../components/Problem';
import { getFragmentData, graphql, type FragmentType } from '../../gql';
import { userErrorMessage } from '../../lib/errors';
import { cancellable } from '../../lib/orderStatus';

export const OrderActionsFragment = graphql(`
  fragment OrderActions_order on Order {
    id
    status
  }
`);

export const CancelOrderMutation = graphql(`
  mutation CancelOrder($input: CancelOrderInput!) {
    cancelOrder(input: $input) {
      order {
        id
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

/** Cancel an unpaid order (a paid one's refund is asked for in `RefundRequest`). */
export function OrderActions({ order: masked }: { order: FragmentType<typeof OrderActionsFragment> }) {
  const { id: orderId, status } = getFragmentData(OrderActionsFragment, masked);
  const [cancelOrder, cancelState] = useMutation(CancelOrderMutation);
  const [message, setMessage] = useState<string | null>(null);

  const cancel = async () => {
    setMessage(null);
    try {
      const { data } = await cancelOrder({ variables: { input: { orderId } } });
      const errors = data?.cancelOrder.userErrors ?? [];
      if (errors.length) setMessage(errors.map(userErrorMessage).join(' '));
    } catch (caught) {
      setMessage(problemOf(caught).message);
    }
  };

  const canCancel = cancellable(status);
  if (!canCancel && !message) return null;
  return (
    <section aria-labelledby="actions-heading" className="actions">
      <h2 id="actions-heading">Changed your mind?</h2>
      {message ? (
        <p className="error" role="alert">
          {message}
        </p>
      ) : null}
      {canCancel ? (
        <button type="button" onClick={cancel} disabled={cancelState.loading}>
          Cancel order
        </button>
      ) : null}
    </section>
  );
}
