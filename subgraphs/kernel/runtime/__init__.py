"""Running a service: `app` (the app factory: /graphql, /health, /ready, /metrics)
and `serve` (uvicorn, replicas sharing a port)."""
