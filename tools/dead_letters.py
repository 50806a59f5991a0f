"""`python -m tools.dead_letters` (`make dead-letters`): list, show and replay dead letters.

A consumer group moves an event it cannot handle to the stream
`dead.<group>` (see subgraphs/kernel/messaging/consumer.py), with the original entry's
fields under `original.*`, the stream it came from, why, and how often it
was tried. An operator fixes the cause, then replays:

  python -m tools.dead_letters list                   every group with dead letters
  python -m tools.dead_letters show GROUP [ENTRY]     a group's dead letters, or one in full
  python -m tools.dead_letters replay GROUP ENTRY...  put them back on their stream
  python -m tools.dead_letters replay GROUP --all

Replaying appends the original entry (the same envelope, so the same event
id) to the stream it came from and removes it from `dead.<group>`, in one
Redis script. It is idempotent: the hash `dead.replayed.<group>` remembers
each replayed dead letter and the entry it became, and a second replay of
the same one appends nothing. Every consumer group reading that stream sees
the entry again; groups that had handled it already ignore it, since
consumers are idempotent on the event id (the architecture's rule).
`dead.counts` keeps counting every dead letter ever made (alerts watch its
growth); the length of `dead.<group>` is what still waits for an operator.

Redis: --redis-url, else REDIS_URL, else redis://127.0.0.1:6379/0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

DEAD_PREFIX = "dead."
DEAD_COUNTS = "dead.counts"  # as in subgraphs/kernel/messaging/consumer.py
REPLAYED_PREFIX = "dead.replayed."
ORIGINAL = "original."

# KEYS: dead stream, replayed hash, target stream. ARGV: dead entry id.
_REPLAY = """
local done = redis.call('HGET', KEYS[2], ARGV[1])
if done then return {'already', done} end
local found = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #found == 0 then return {'missing', ''} end
local fields = found[1][2]
local stream = nil
local original = {}
for i = 1, #fields, 2 do
  local key = fields[i]
  if key == 'stream' then
    stream = fields[i + 1]
  elseif string.sub(key, 1, 9) == 'original.' then
    table.insert(original, string.sub(key, 10))
    table.insert(original, fields[i + 1])
  end
end
if stream ~= KEYS[3] or #original == 0 then return {'unusable', ''} end
local new = redis.call('XADD', KEYS[3], '*', unpack(original))
redis.call('HSET', KEYS[2], ARGV[1], new)
redis.call('XDEL', KEYS[1], ARGV[1])
return {'replayed', new}
"""


class DeadLetterError(Exception):
    """Something an operator asked for cannot be done (the message says why)."""


@dataclass(frozen=True)
class GroupSummary:
    group: str
    waiting: int  # entries in dead.<group>
    ever: int  # dead.counts
    replayed: int  # entries of dead.replayed.<group>
    oldest: str | None
    newest: str | None


@dataclass(frozen=True)
class Replayed:
    entry: str
    outcome: str  # replayed | already | missing | unusable
    new_entry: str | None


def entry_time(entry_id: str) -> str:
    """The moment a stream entry id was made, in ISO-8601 UTC."""
    ms = int(entry_id.split("-")[0])
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds")


class DeadLetters:
    """The dead-letter streams of one Redis database."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._replay = client.register_script(_REPLAY)

    @classmethod
    def from_url(cls, url: str) -> DeadLetters:
        return cls(redis.Redis.from_url(url, decode_responses=True))

    def groups(self) -> list[GroupSummary]:
        counts: dict[str, str] = self.client.hgetall(DEAD_COUNTS)  # type: ignore[assignment]
        names = set(counts)
        for key in self.client.scan_iter(match=f"{DEAD_PREFIX}*", _type="stream"):
            names.add(key.removeprefix(DEAD_PREFIX))
        summaries = []
        for group in sorted(names):
            stream = DEAD_PREFIX + group
            first = self.client.xrange(stream, count=1)
            last = self.client.xrevrange(stream, count=1)
            summaries.append(
                GroupSummary(
                    group=group,
                    waiting=int(self.client.xlen(stream)),  # type: ignore[arg-type]
                    ever=int(counts.get(group, 0)),
                    replayed=int(self.client.hlen(REPLAYED_PREFIX + group)),  # type: ignore[arg-type]
                    oldest=first[0][0] if first else None,  # type: ignore[index]
                    newest=last[0][0] if last else None,  # type: ignore[index]
                )
            )
        return summaries

    def entries(self, group: str, *, count: int = 50) -> list[tuple[str, dict[str, str]]]:
        found: list[tuple[str, dict[str, str]]] = self.client.xrange(  # type: ignore[assignment]
            DEAD_PREFIX + group, count=count
        )
        return found

    def entry(self, group: str, entry_id: str) -> dict[str, str]:
        found = self.client.xrange(DEAD_PREFIX + group, entry_id, entry_id)
        if not found:
            done = self.client.hget(REPLAYED_PREFIX + group, entry_id)
            if done:
                raise DeadLetterError(f"{entry_id} of {group} was replayed already (as {done})")
            raise DeadLetterError(f"no dead letter {entry_id} in {DEAD_PREFIX}{group}")
        fields: dict[str, str] = found[0][1]  # type: ignore[index]
        return fields

    def replay(self, group: str, entry_id: str) -> Replayed:
        """Put one dead letter back on its stream, at most once."""
        dead, replayed = DEAD_PREFIX + group, REPLAYED_PREFIX + group
        found = self.client.xrange(dead, entry_id, entry_id)
        stream = found[0][1].get("stream", "") if found else ""  # type: ignore[index]
        outcome, new = self._replay(keys=[dead, replayed, stream or dead], args=[entry_id])
        return Replayed(entry_id, outcome, new or None)

    def replay_all(self, group: str) -> list[Replayed]:
        results = []
        while batch := self.entries(group, count=100):
            step = [self.replay(group, entry_id) for entry_id, _ in batch]
            results += step
            if all(r.outcome in ("unusable", "missing") for r in step):
                break  # only entries that cannot be replayed are left
        return results


# ------------------------------------------------------------------ commands


def _summary_line(fields: dict[str, str]) -> str:
    kind = fields.get(f"{ORIGINAL}type", "?")
    event = fields.get(f"{ORIGINAL}id", "?")
    reason = fields.get("reason", "").replace("\n", " ")
    if len(reason) > 70:
        reason = reason[:67] + "..."
    return f"{kind:<26} event {event}  tries {fields.get('deliveries', '?')}  {reason}"


def cmd_list(letters: DeadLetters, _: argparse.Namespace) -> int:
    groups = letters.groups()
    if not groups:
        print("no dead letters")
        return 0
    print(f"{'group':<20}{'waiting':>8}{'ever':>8}{'replayed':>10}  oldest waiting")
    for g in groups:
        oldest = entry_time(g.oldest) if g.oldest else "-"
        print(f"{g.group:<20}{g.waiting:>8}{g.ever:>8}{g.replayed:>10}  {oldest}")
    return 0


def cmd_show(letters: DeadLetters, args: argparse.Namespace) -> int:
    if args.entry:
        fields = letters.entry(args.group, args.entry)
        print(f"dead letter {args.entry} of group {args.group} ({entry_time(args.entry)})")
        for key in ("stream", "entry_id", "deliveries", "reason"):
            print(f"  {key}: {fields.get(key, '')}")
        print("  original entry:")
        for key, value in fields.items():
            if key.startswith(ORIGINAL):
                print(f"    {key.removeprefix(ORIGINAL)}: {_pretty(value)}")
        return 0
    entries = letters.entries(args.group, count=args.count)
    if not entries:
        print(f"no dead letters waiting in {DEAD_PREFIX}{args.group}")
        return 0
    for entry_id, fields in entries:
        print(f"{entry_id}  {entry_time(entry_id)}  {_summary_line(fields)}")
    return 0


def cmd_replay(letters: DeadLetters, args: argparse.Namespace) -> int:
    if args.all == bool(args.entries):
        raise DeadLetterError("replay takes entry ids or --all (one of them)")
    if args.all:
        results = letters.replay_all(args.group)
    else:
        results = [letters.replay(args.group, entry) for entry in args.entries]
    failed = 0
    for r in results:
        if r.outcome == "replayed":
            print(f"{r.entry}: replayed as {r.new_entry}")
        elif r.outcome == "already":
            print(f"{r.entry}: replayed before (as {r.new_entry}); nothing appended")
        elif r.outcome == "missing":
            failed += 1
            print(f"{r.entry}: no such dead letter in {DEAD_PREFIX}{args.group}")
        else:
            failed += 1
            print(f"{r.entry}: has no original entry or stream to go back to; left in place")
    if not results:
        print(f"no dead letters waiting in {DEAD_PREFIX}{args.group}")
    return 1 if failed else 0


def _pretty(value: str) -> str:
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return json.dumps(decoded, indent=None, sort_keys=True) if isinstance(decoded, dict) else value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.dead_letters", description="List, show and replay dead letters."
    )
    p.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every consumer group with dead letters")
    show = sub.add_parser("show", help="a group's dead letters, or one of them in full")
    show.add_argument("group")
    show.add_argument("entry", nargs="?")
    show.add_argument("--count", type=int, default=50)
    replay = sub.add_parser("replay", help="put dead letters back on their stream (idempotent)")
    replay.add_argument("group")
    replay.add_argument("entries", nargs="*")
    replay.add_argument("--all", action="store_true")
    return p


COMMANDS: dict[str, Any] = {"list": cmd_list, "show": cmd_show, "replay": cmd_replay}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    letters = DeadLetters.from_url(args.redis_url)
    try:
        status: int = COMMANDS[args.command](letters, args)
    except DeadLetterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except redis.ConnectionError as exc:
        print(f"error: cannot reach Redis at the given URL ({exc})", file=sys.stderr)
        return 1
    finally:
        letters.client.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
