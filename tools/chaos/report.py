"""The report of a run: what happened, what was checked, and the verdict."""

from __future__ import annotations

from collections import Counter as Tally
from dataclasses import dataclass, field

from tools.chaos.customers import Customer, Stats
from tools.chaos.faults import Faults
from tools.chaos.outcome import Outcome, resends
from tools.chaos.plan import Plan
from tools.chaos.probe import Probe
from tools.chaos.scenarios import TERMINAL_STATUSES, counted, kind_of
from tools.chaos.stock import oversold, summary
from tools.chaos.watchers import acceptable
from tools.stack import Running, Stack


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    figures: dict[str, float | int | None] = field(default_factory=dict)

    def add(self, text: str) -> None:
        self.lines.append(text)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.failures.append(what)

    @property
    def passed(self) -> bool:
        return not self.failures

    def text(self) -> str:
        verdict = "PASS" if self.passed else "FAIL: " + "; ".join(self.failures)
        return "\n".join([*self.lines, f"result: {verdict}"])


def summarize(
    plan: Plan,
    report: Report,
    stats: Stats,
    customers: list[Customer],
    outcome: Outcome,
    problems: list[str],
    faults: Faults,
    probe: Probe,
    stack: Stack,
    running: Running,
    skus: list[str],
) -> None:
    add = report.add
    add("")
    add(f"chaos run: {plan.orders} orders through the gateway, {plan.replicas} processes per")
    add(f"subgraph and worker, {len(faults.log)} faults, {stats.t():.0f} s")
    add("faults (t = seconds since the first customer):")
    for f in faults.log:
        back = f"back after {f.recovered_after:.1f} s" if f.recovered_after else "not back"
        add(f"  t={f.at:6.1f}  {f.name}: {back}{'; ' + f.note if f.note else ''}")
    restarts = Tally(r.part for r in stack.history if "restarting in" in r.what)
    add(f"supervisor restarts: {dict(sorted(restarts.items())) or 'none'}")

    gave_up = [c for c in customers if c.failed]
    by_scenario = Tally(c.scenario.name for c in customers)
    terminal = agreeing = 0
    for c in customers:
        state = outcome.states.get(c.index)
        if not state:
            continue
        order_status, payment_status = c.expected.order_status, c.expected.payment_status
        if state["status"] in TERMINAL_STATUSES:
            terminal += 1
        if (state["status"], (state.get("payment") or {}).get("status")) == (
            order_status,
            payment_status,
        ):
            agreeing += 1
    duplicated = sum(1 for n in outcome.order_counts.values() if n > 1)
    lost = plan.orders - len(outcome.states)
    rejected = Tally(c.scenario.name for c in customers if c.rejected)
    add(
        f"orders:        {plan.orders} placed ({by_scenario['paid']} paid, "
        f"{by_scenario['declined']} declined (left to expire), {by_scenario['refunded']} refunded; "
        f"of them REJECTED for want of stock: {rejected['paid']} paying, "
        f"{rejected['declined']} declined, {rejected['refunded']} refunding); "
        f"{terminal} terminal, {agreeing} as expected with orders and payments agreeing, "
        f"{terminal - agreeing} disagreeing, {lost} lost, {duplicated} duplicated"
    )
    report.check(not gave_up, f"{len(gave_up)} customers gave up")
    report.check(agreeing == plan.orders, f"{plan.orders - agreeing} orders not as expected")
    report.check(duplicated == 0, f"{duplicated} customers with more than one order")

    expected = missing = extra = 0
    first_seen: dict[str, str] = {}
    for c in customers:
        kinds = Tally(c.expected.mails)
        got = Tally(kind_of(m["subject"]) for m in counted(outcome.mails.get(c.email, [])))
        for m in outcome.mails.get(c.email, []):
            first_seen[m["message_id"]] = m["received_at"]
        expected += sum(kinds.values())
        missing += sum((kinds - got).values())
        extra += sum((got - kinds).values())
    delivered = sum(len(outcome.mails.get(c.email, [])) for c in customers)
    add(
        f"mail:          {expected} expected, {delivered} distinct Message-IDs at the sink, "
        f"{missing} missing, {extra} extra"
    )
    report.check(missing == 0 and extra == 0, f"mail: {missing} missing, {extra} extra")
    assert running.smtp_sink is not None
    windows = resends(running.config.logs / "smtp-sink.log", first_seen)
    if windows:
        add(
            f"resends:       {len(windows)} of a message already accepted (same Message-ID, "
            f"stored once), {min(windows):.1f}-{max(windows):.1f} s after its first acceptance"
        )
    else:
        add("resends:       0 of a message already accepted")
    report.figures.update(
        missing=missing, extra=extra, resends=len(windows), lost=lost, duplicated=duplicated
    )

    add(
        "outboxes:      "
        + ", ".join(f"{db} {n}" for db, n in outcome.outbox.items())
        + " unpublished"
    )
    add(
        f"dead letters:  {outcome.dead_waiting} waiting ({outcome.dead_ever} ever); "
        f"{outcome.pending} stream entries pending in consumer groups"
    )
    report.check(not any(outcome.outbox.values()), "outboxes not drained")
    report.check(outcome.dead_waiting == 0, "dead-letter streams not empty")
    report.check(outcome.pending == 0, "consumer groups have pending entries")

    watchers = [c for c in customers if c.watcher]
    unconfirmed = [c for c in watchers if c.watcher and c.watcher.unconfirmed]
    stayed = [
        c
        for c in watchers
        if c.watcher and c.watcher.connected and not c.watcher.dropped and not c.watcher.unconfirmed
    ]
    in_order = [
        c
        for c in stayed
        if c.watcher
        and tuple(c.watcher.statuses)
        in acceptable(c.expected.watched, c.watcher.status_when_registered)
    ]
    rejected_seen = [c for c in in_order if c.watcher and "REJECTED" in c.watcher.statuses]
    dropped = Tally(
        c.watcher.dropped.split(" (")[0].split(":")[0]
        for c in watchers
        if c.watcher and c.watcher.dropped
    )
    add(
        f"subscribers:   {len(watchers)} subscribed, {len(stayed)} stayed connected, "
        f"{len(in_order)} of them saw every status in order"
        + (f" ({len(rejected_seen)} of them REJECTED)" if rejected_seen else "")
        + (f"; dropped: {dict(dropped)}" if dropped else "")
        + (f"; {len(unconfirmed)} not seen registered in 30 s" if unconfirmed else "")
    )
    for c in stayed:
        if c not in in_order and c.watcher:
            add(f"  {c.email}: saw {c.watcher.statuses}, expected {list(c.expected.watched)}")
    report.check(len(in_order) == len(stayed), "a connected subscriber missed a status")

    stock = outcome.stock
    for line in summary(stock, skus, plan.orders):
        add(line)
    waits = [c.paid_after for c in customers if c.paid_after is not None]
    if waits:
        add(
            f"  paying took at most {max(waits):.1f} s after the order (reservation TTL "
            f"{plan.reservation_ttl:g} s; median {sorted(waits)[len(waits) // 2]:.1f} s)"
        )
    expired = sum(1 for c in customers if c.scenario.name == "declined" and not c.rejected)
    report.check(not stock.violations, f"stock: {'; '.join(stock.violations[:5])}")
    report.check(
        stock.orders["REJECTED"] == sum(c.rejected for c in customers),
        f"{stock.orders['REJECTED']} orders REJECTED, {sum(c.rejected for c in customers)} "
        "customers told ORDER_REJECTED",
    )
    report.check(stock.expired == expired, f"{stock.expired} orders expired, {expired} declined")
    report.figures.update(
        rejected=stock.orders["REJECTED"],
        expired=stock.expired,
        oversold=oversold(stock),
        left_reserved=stock.left_reserved,
    )

    latency = probe.recovery(faults)
    if latency is not None:
        base, normal, recovery = latency
        failed_probes = sum(1 for _, s in probe.samples if s is None)
        add(
            f"recovery:      gateway latency p50 {base * 1000:.0f} ms before the faults; "
            + (
                f"back to normal (<= {normal * 1000:.0f} ms, 8 probes in a row) "
                f"{recovery:.1f} s after the last fault"
                if recovery is not None
                else "not back to normal by the end of the run"
            )
            + f"; {failed_probes} of {len(probe.samples)} probes failed during the run"
        )
        report.figures["recovery_seconds"] = recovery
    add(
        "client retries: "
        + (", ".join(f"{op} {n}" for op, n in sorted(stats.retries.items())) or "none")
    )
    if stats.causes:
        top = ", ".join(f"{cause} x{n}" for cause, n in stats.causes.most_common(6))
        add(f"  most frequent causes: {top}")
    for problem in problems[:15]:
        add(f"  problem: {problem}")
    if len(problems) > 15:
        add(f"  ... and {len(problems) - 15} more problems")
