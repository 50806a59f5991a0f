"""What a process owns for its life: `settings` (read once from the environment),
`background` (loops owned by the lifespan), `deferred` (work a request starts
but does not wait for), `lease` (of several replicas, one at a time does a piece of
work)."""
