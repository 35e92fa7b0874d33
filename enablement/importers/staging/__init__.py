"""Writing a whole file of deals, history or usage at database speed on PostgreSQL.

The importers parse and check each row in Python (the checks that need Python's rules: dates, choices,
emails), then hand the good rows, with their line numbers, to a *sink*. On PostgreSQL the sink streams
them with COPY into a temporary staging table, and `finish()` does the rest set-based, once per file:
the rows whose deal is unknown, already recorded, repeated in the file or after their deal closed are
found by a few joins and reported as `FILE:LINE: reason`; the rest go in with one
`INSERT … SELECT … ON CONFLICT` per table; each new usage event takes its stage from the history in
the same statement. Memory holds one batch of rows, never the file.

On SQLite the sink writes each batch through the writers (a few queries per batch), as before.
"""

from enablement.importers.staging.deals import DealSink
from enablement.importers.staging.history import HistorySink
from enablement.importers.staging.usage import UsageSink

__all__ = ["DealSink", "HistorySink", "UsageSink"]
