// Payments and refunds are sent with an idempotency key: an answer that says "not yet" (the
// order is not known to payments yet, an earlier attempt is still running, the provider is
// down) is worth sending again, same key, a little later.

/** Give up re-sending a retryable request after this long (the customer can press again). */
const RETRY_FOR_MS = 60_000;

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `send()` until its answer is final: again while `retryable(answer)`, backing off from 250 ms to
 * 2 s, for at most RETRY_FOR_MS (then the last answer is returned). A thrown error ends it.
 */
export async function sendUntilSettled<T>(send: () => Promise<T>, retryable: (answer: T) => boolean): Promise<T> {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (let tries = 0; ; tries += 1) {
    const answer = await send();
    if (!retryable(answer) || Date.now() >= deadline) return answer;
    await wait(Math.min(2_000, 250 * 2 ** tries));
  }
}
