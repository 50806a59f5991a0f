"""The three kinds of customer (paid, declined, refunded) and what each must end with."""

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
    payment_status: str  # the payment's terminal status
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
DECLINED = Scenario(
    "declined",
    "pm_card_declined",
    "PAYMENT_FAILED",
    "FAILED",
    ("verify", "confirmation", "payment_failed"),
    ("PAYMENT_FAILED",),
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
SCENARIOS = {s.name: s for s in (PAID, DECLINED, REFUNDED)}
TERMINAL_STATUSES = ("PAID", "PAYMENT_FAILED", "REFUNDED", "CANCELLED")

SUBJECTS = [
    (re.compile(r"^Confirm your email address"), "verify"),
    (re.compile(r"^Order .* received$"), "confirmation"),
    (re.compile(r"^Receipt for order "), "receipt"),
    (re.compile(r"^Payment failed for order "), "payment_failed"),
    (re.compile(r"^Refund for order "), "refund"),
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
