"""What a process tells about itself: `logging` (JSON lines with the correlation id),
`metrics` (counters), `gauges` (store state read when scraped), `telemetry`
(OpenTelemetry from the OTEL_* variables)."""
