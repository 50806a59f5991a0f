"""Prometheus text exposition, read: samples with their labels, sums, and scraping a /metrics."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import httpx

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Sample:
    """One line of a scrape: ``name{labels} value``."""

    name: str
    labels: Mapping[str, str]
    value: float


def samples(text: str) -> Iterator[Sample]:
    """Every sample of a scrape, in order (comments and blank lines skipped)."""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        found = _SAMPLE.match(line)
        if found is None:
            continue
        name, labels, value = found.groups()
        parsed = {k: _unescape(v) for k, v in _LABEL.findall(labels or "")}
        yield Sample(name, parsed, float(value))


def _unescape(value: str) -> str:
    return value.replace(r"\"", '"').replace(r"\n", "\n").replace("\\\\", "\\")


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text -> ``{'name{labels}': value}`` (the labels as written)."""
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            values[key] = float(value)
    return values


def metric_sum(text: str, name: str, **labels: str) -> float:
    """The sum of the samples called ``name`` whose labels include ``labels``."""
    return sum(
        s.value
        for s in samples(text)
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


async def scrape(http: httpx.AsyncClient, base_url: str) -> str:
    """``GET base_url/metrics``: the text of a process's (or a shared port's) metrics."""
    response = await http.get(f"{base_url}/metrics")
    response.raise_for_status()
    return response.text


SUBSCRIPTIONS_METRIC = "broadcast_subscriptions_total"


async def subscriptions_started(http: httpx.AsyncClient, base_url: str) -> float:
    """How many subscribers a subgraph (every process on its port) has registered so far."""
    return metric_sum(await scrape(http, base_url), SUBSCRIPTIONS_METRIC)


async def mongo_commands(http: httpx.AsyncClient, base_url: str, collection: str) -> float:
    """MongoDB commands a subgraph has sent on ``collection`` so far (its /metrics)."""
    text = await scrape(http, base_url)
    return metric_sum(text, "mongodb_commands_total", collection=collection)
