"""Tasks that could not be sent to the broker, kept in the database until a worker can take them.

Every task is queued through `enqueue()`: after the write commits it is published, and if the broker
cannot be reached it is stored as a PendingTask instead of failing the request. Pending tasks are
sent again by a beat task every minute and whenever a worker starts. Shared by `assets` and
`enablement`, so it lives under `config/` (assets never imports enablement).
"""
