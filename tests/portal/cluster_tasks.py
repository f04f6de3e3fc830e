"""Tasks for the qcluster shutdown tests, run by a real cluster's workers."""

import os
import signal
import time
from pathlib import Path


def busy(marker, seconds):
    """Write `marker` (this worker's pid), then work for `seconds` (the cluster's timeout interrupts it)."""
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(seconds)
    return "done"


def stuck(marker, seconds):
    """Like `busy`, but deaf to the cluster's timeout alarm: only a kill ends it early."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    Path(marker).write_text("started", encoding="utf-8")
    time.sleep(seconds)
    return "done"
