"""The three kinds of customer (paid, declined, refunded), what each must end with, and
REJECTED: what any of them ends with when the catalog could not reserve its order."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Scenario:
    """What a customer of this kind does, and what the system must show afterwards."""

    name: str
    card: str  # the payment method token it pays with
    order_status: str  # the order's terminal status
    payment_status: str | None  # the payment's terminal status (None: there is no payment)
    mails: tuple[str, ...]  # the kinds of mail it receives (see kind_of)
    watched: tuple[str, ...]  # the statuses a subscriber to its order sees, in order
    refunds: bool = False  # asks for a refund once paid

    @property
    def final(self) -> str:
        """The last status a subscriber sees."""
        return self.watched[-1]


PAID = Scenario(
    "paid", "pm_card_ok", "PAID", "SUCCEEDED", ("verify", "confirmation", "receipt"), ("PAID",)
)
# Declined and never paid: the order expires (RESERVATION_TTL_SECONDS), its units are released.
DECLINED = Scenario(
    "declined",
    "pm_card_declined",
    "CANCELLED",
    "FAILED",
    ("verify", "confirmation", "payment_failed", "cancelled"),
    ("PAYMENT_FAILED", "CANCELLED"),
)
REFUNDED = Scenario(
    "refunded",
    "pm_card_ok",
    "REFUNDED",
    "REFUNDED",
    ("verify", "confirmation", "receipt", "refund"),
    ("PAID", "REFUNDED"),
    refunds=True,
)
# Out of stock (which orders is up to the race for the units): nothing to pay, a mail saying so.
REJECTED = Scenario(
    "rejected", "", "REJECTED", None, ("verify", "confirmation", "rejected"), ("REJECTED",)
)
SCENARIOS = {s.name: s for s in (PAID, DECLINED, REFUNDED, REJECTED)}
TERMINAL_STATUSES = ("PAID", "REFUNDED", "CANCELLED", "REJECTED")

SUBJECTS = [
    (re.compile(r"^Confirm your email address"), "verify"),
    (re.compile(r"^Order .* received$"), "confirmation"),
    (re.compile(r"^Receipt for order "), "receipt"),
    (re.compile(r"^Payment failed for order "), "payment_failed"),
    (re.compile(r"^Refund for order "), "refund"),
    (re.compile(r"^Order .* cancelled$"), "cancelled"),
    (re.compile(r"^Order .* could not be accepted$"), "rejected"),
]


# The cards each payment provider approves and declines (PAYMENTS_PROVIDER_KIND).
CARDS = {
    "sandbox": ("pm_card_ok", "pm_card_declined"),
    "stripe": ("pm_card_visa", "pm_card_chargeCustomerFail"),
}


def scenario_of(i: int, provider: str = "sandbox") -> Scenario:
    """One customer in ten is declined, one in ten refunded, the others pay."""
    scenario = {3: DECLINED, 7: REFUNDED}.get(i % 10, PAID)
    approved, declined = CARDS[provider]
    return replace(scenario, card=declined if scenario is DECLINED else approved)


# The note to an address's owner that someone signed up with it: a register retried after its
# first attempt had created the account (the answer was lost) rightly sends one. Not counted.
SIGN_UP_ATTEMPT = re.compile(r"^Someone tried to sign up with your address")


def counted(mails: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The mails a customer's scenario accounts for (all but sign-up-attempt notes)."""
    return [m for m in mails if not SIGN_UP_ATTEMPT.search(m["subject"])]


def kind_of(subject: str) -> str:
    for pattern, kind in SUBJECTS:
        if pattern.search(subject):
            return kind
    return f"other: {subject}"
