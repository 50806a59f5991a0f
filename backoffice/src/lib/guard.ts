import { useRef } from 'react';

/** Runs one task at a time: a call while the previous task is still running is dropped. */
export interface SubmitGuard {
  /** `task`'s result, or `undefined` (and `task` not called) while another is running. */
  run<T>(task: () => Promise<T>): Promise<T | undefined>;
}

/**
 * The guard itself. The flag is set before the task's first await, so a second submit in the
 * same tick (before React re-renders with the button disabled) finds it taken: a `loading`
 * read from render state would still say false there.
 */
export function submitGuard(): SubmitGuard {
  let running = false;
  return {
    async run(task) {
      if (running) return undefined;
      running = true;
      try {
        return await task();
      } finally {
        running = false;
      }
    },
  };
}

/** A form's or a row's `submitGuard`, kept across renders: what every action sends through. */
export function useSubmitGuard(): SubmitGuard {
  const guard = useRef<SubmitGuard | null>(null);
  guard.current ??= submitGuard();
  return guard.current;
}
