import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sendUntilSettled } from './resend';

describe('sendUntilSettled', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends again while the answer is retryable, then returns the final answer', async () => {
    const answers = ['PAYMENT_IN_PROGRESS', 'PROVIDER_UNAVAILABLE', 'SUCCEEDED'];
    const send = vi.fn(async () => answers.shift()!);
    const settled = sendUntilSettled(send, (answer) => answer !== 'SUCCEEDED');
    await vi.runAllTimersAsync();
    await expect(settled).resolves.toBe('SUCCEEDED');
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('gives up after a minute with the last retryable answer', async () => {
    const send = vi.fn(async () => 'PAYMENT_IN_PROGRESS');
    const settled = sendUntilSettled(send, () => true);
    await vi.advanceTimersByTimeAsync(65_000);
    await expect(settled).resolves.toBe('PAYMENT_IN_PROGRESS');
    // 250, 500, 1000, then every 2 s: about 30 sends in a minute, not one a tick.
    expect(send.mock.calls.length).toBeGreaterThan(25);
    expect(send.mock.calls.length).toBeLessThan(40);
  });

  it('ends on an error without sending again', async () => {
    const send = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(sendUntilSettled(send, () => true)).rejects.toThrow('Failed to fetch');
    expect(send).toHaveBeenCalledTimes(1);
  });
});
