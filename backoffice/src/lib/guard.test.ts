import { describe, expect, it } from 'vitest';
import { submitGuard } from './guard';

/** A task that finishes when told to. */
function deferred() {
  let finish!: (value: string) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { done, finish, fail };
}

describe('submitGuard', () => {
  it('drops a second submit made before the first one settles (the same tick)', async () => {
    const guard = submitGuard();
    const first = deferred();
    let calls = 0;
    const task = () => {
      calls += 1;
      return first.done;
    };
    const one = guard.run(task);
    const two = guard.run(task);
    expect(calls).toBe(1);
    first.finish('sent');
    expect(await one).toBe('sent');
    expect(await two).toBeUndefined();
  });

  it('runs again once the previous task settled, also after a failure', async () => {
    const guard = submitGuard();
    const failing = deferred();
    const running = guard.run(() => failing.done);
    failing.fail(new Error('gateway down'));
    await expect(running).rejects.toThrow('gateway down');
    expect(await guard.run(async () => 'again')).toBe('again');
    expect(await guard.run(async () => 'and again')).toBe('and again');
  });
});
