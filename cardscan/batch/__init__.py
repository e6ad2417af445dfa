"""Batch scanning: which photos (discover), where the work runs (workers), the scan loop (scan).

    discovery.py folders -> photos -> tasks (single photos and front/back pairs), hashes
    workers.py   LocalPool (worker processes), inline, Dask; each runs ``reading.read_photo``
    scan.py      resume, run, store each card in the book, summary and JSON lines
"""

from cardscan.batch.discovery import discover, file_sha256, pair_backs
from cardscan.batch.model import CardOutcome, Failure, ScanOptions, ScanSummary, Task
from cardscan.batch.scan import failure_json, outcome_json, photo_timers, scan
from cardscan.batch.workers import LocalPool, dask_address, default_jobs, process_task

__all__ = [
    "CardOutcome", "Failure", "LocalPool", "ScanOptions", "ScanSummary", "Task", "dask_address",
    "default_jobs", "discover", "failure_json", "file_sha256", "outcome_json", "pair_backs",
    "photo_timers", "process_task", "scan",
]
