// "Load more" on a root connection without a cache field policy: the next page's edges are
// appended to the query's own result (`fetchMore({ updateQuery: appendPage('field') })`).

interface Connection {
  edges: readonly unknown[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/** An `updateQuery` that appends the fetched page of `field` to the one shown. */
export function appendPage<Data extends Record<Field, Connection>, Field extends string>(field: Field) {
  return (previous: Data, { fetchMoreResult }: { fetchMoreResult: Data }): Data => ({
    ...previous,
    [field]: {
      ...fetchMoreResult[field],
      edges: [...previous[field].edges, ...fetchMoreResult[field].edges],
    },
  });
}

/** A time as staff read it: date and time, in their locale. */
export function formatWhen(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}
