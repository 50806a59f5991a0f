"""Pure building blocks: no framework, no driver; domains and use cases may import them.

`clock` (the one clock, UTC to the millisecond), `ids` (the one id maker),
`errors` (DomainError -> userErrors; NotSignedIn / NotAllowed), `money`,
`events` (the envelope, the events aggregates record), `contracts` (what a
consumer group reads of other contexts' events, by type and version),
`unit_of_work` (the port use cases save through).
"""
