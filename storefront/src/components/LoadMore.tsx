import { useState } from 'react';

type PageInfo = { hasNextPage: boolean; endCursor?: string | null };

/** "Load more" under a Relay connection: fetches the page after `pageInfo.endCursor`, one at a time. */
export function LoadMore({
  pageInfo,
  fetchPage,
}: {
  pageInfo: PageInfo | undefined;
  fetchPage: (after: string | null | undefined) => Promise<unknown>;
}) {
  const [loading, setLoading] = useState(false);
  if (!pageInfo?.hasNextPage) return null;
  return (
    <button
      type="button"
      disabled={loading}
      onClick={async () => {
        setLoading(true);
        try {
          await fetchPage(pageInfo.endCursor);
        } finally {
          setLoading(false);
        }
      }}
    >
      {loading ? 'Loading…' : 'Load more'}
    </button>
  );
}
