import { getFragmentData, graphql, type FragmentType } from '../../gql';
import { formatTime } from '../../lib/money';
import { payable, STATUS_LABEL, type TimelineEntry } from '../../lib/orderStatus';

export const StatusTimelineFragment = graphql(`
  fragment StatusTimeline_order on Order {
    status
    expiresAt
  }
`);

/** The order's status (announced to screen readers as it changes) and the statuses it went through. */
export function StatusTimeline({
  order: masked,
  timeline,
  reconnecting,
}: {
  order: FragmentType<typeof StatusTimelineFragment>;
  timeline: readonly TimelineEntry[];
  reconnecting: boolean;
}) {
  const { status, expiresAt } = getFragmentData(StatusTimelineFragment, masked);
  return (
    <section className="order-status" aria-labelledby="status-heading">
      <h2 id="status-heading">Status</h2>
      <p role="status" aria-live="polite" aria-atomic="true" className={`status-badge status-${status.toLowerCase()}`}>
        {STATUS_LABEL[status]}
      </p>
      {status === 'REJECTED' ? (
        <p className="notice">
          Some items ran out of stock before we could reserve them, so this order cannot go ahead. Nothing was
          charged.
        </p>
      ) : null}
      {expiresAt && payable(status) ? (
        <p className="hint">
          Pay by <time dateTime={expiresAt}>{formatTime(expiresAt)}</time>, or the order is cancelled and its items go
          back on sale.
        </p>
      ) : null}
      {reconnecting ? <p className="hint">Reconnecting for live updates…</p> : null}
      <ol className="timeline" aria-label="Status history">
        {timeline.map((entry, index) => (
          <li key={`${entry.status}-${entry.at}`} aria-current={index === timeline.length - 1 ? 'step' : undefined}>
            <span className="timeline-status">{STATUS_LABEL[entry.status]}</span>{' '}
            <time dateTime={entry.at}>{formatTime(entry.at)}</time>
          </li>
        ))}
      </ol>
    </section>
  );
}
