"""How sign-in slows down after failures: the delay before an account's next attempt."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """Delays that double with each failure past `free_failures`, up to `max_seconds`.

    A delay is a wait, never a lock: once it has passed, the next attempt
    (the owner's right password included) is checked as usual. Failures are
    forgotten `memory_seconds` after the last attempt, and by a success.
    """

    free_failures: int
    base_seconds: int
    max_seconds: int
    memory_seconds: int

    def delay_after(self, failures: int) -> int:
        """Seconds to wait after `failures` counted attempts (0: none)."""
        if failures < self.free_failures:
            return 0
        doublings = min(failures - self.free_failures, 30)
        return min(self.max_seconds, self.base_seconds << doublings)
