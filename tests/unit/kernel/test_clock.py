from datetime import UTC, datetime, timedelta, timezone

from subgraphs.kernel.core.clock import as_utc, utc_now


def test_a_time_without_a_zone_is_read_as_utc_and_one_with_a_zone_is_kept() -> None:
    naive = datetime(2026, 12, 7, 6, 30)
    assert as_utc(naive) == datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
    paris = datetime(2026, 12, 7, 7, 30, tzinfo=timezone(timedelta(hours=1)))
    assert as_utc(paris) is paris
    assert as_utc(paris) == datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


def test_now_is_utc_to_the_millisecond() -> None:
    now = utc_now()
    assert now.tzinfo is UTC
    assert now.microsecond % 1000 == 0
