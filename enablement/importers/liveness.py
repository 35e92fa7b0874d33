"""Whether the worker running an import is still alive.

An import runs in one transaction, so a worker killed part-way (`kill -9`, the machine's OOM killer, a
deploy restarting gunicorn with no broker set) writes nothing, but nothing ends its run either: it
would show *running* for ever. Two signs of life are kept on the run:

- a heartbeat: a thread beside the import writes `heartbeat_at` every IMPORT_HEARTBEAT_SECONDS on a
  connection of its own (PostgreSQL; on SQLite the import's transaction holds the only write lock, so
  the heartbeat could not be written until the import ends);
- the worker's identity, "machine:pid:process start": where its process ids are this process's too
  (the same boot of the same kernel, the same container), whether that very process still runs (a
  process id can be reused; its start time tells the new one apart).

A run is alive while its heartbeat is younger than IMPORT_WORKER_LOST_SECONDS or, on its own machine,
while its process runs. A run that is neither is ended by `runs.import_runs_sweep` (beat, and the
admin's pages) or restarted by a redelivered task.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from enablement.importers.models import ImportRun


def _process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux /proc; "" elsewhere while it runs),
    or None when no such process runs (or it has exited and waits to be reaped: a zombie)."""
    if not Path("/proc/self/stat").exists():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass  # it runs, as another user
        return ""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] in ("Z", "X"):  # exited: dead, or a zombie its parent has not reaped yet
        return None
    return fields[19]  # field 22 of stat(5), counted after the command's closing parenthesis


def _machine() -> str:
    """Where this process's id means something: on Linux the kernel's boot id (a reboot makes every
    process id new) and the process-id namespace (containers on one machine share the kernel, each
    with process ids of its own); elsewhere the host name."""
    with contextlib.suppress(OSError):
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        return f"{boot}/{os.readlink('/proc/self/ns/pid')}"
    return socket.gethostname()


def worker_identity() -> str:
    """ "machine:pid:process start" of this process, kept on the run it imports."""
    pid = os.getpid()
    return f"{_machine()}:{pid}:{_process_start(pid) or ''}"


def _process_alive(identity: str) -> bool | None:
    """Whether the worker's process still runs; None when it ran on another machine (unknown here)."""
    try:
        machine, pid, started = identity.rsplit(":", 2)
        number = int(pid)
    except ValueError:
        return None
    if machine != _machine():
        return None
    running = _process_start(number)
    return running is not None and (not started or not running or running == started)


def worker_alive(run: ImportRun, *, now: datetime | None = None) -> bool:
    """On the worker's machine, whether its process runs; elsewhere, whether its heartbeat is recent."""
    known = _process_alive(run.worker)
    if known is not None:
        return known
    lost_since = (now or timezone.now()) - timedelta(seconds=settings.IMPORT_WORKER_LOST_SECONDS)
    return run.heartbeat_at is not None and run.heartbeat_at > lost_since


def _beat(run_id: int, stop: threading.Event) -> None:
    try:
        while not stop.wait(settings.IMPORT_HEARTBEAT_SECONDS):
            ImportRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())
    finally:
        connection.close()  # this thread's own connection


@contextlib.contextmanager
def heartbeat(run_id: int) -> Iterator[None]:
    """While the block runs, say every IMPORT_HEARTBEAT_SECONDS that the run's worker is alive."""
    if connection.vendor == "sqlite":
        yield  # the process check on the worker's machine is the sign of life there
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=_beat, args=(run_id, stop), name=f"import-{run_id}-heartbeat", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
