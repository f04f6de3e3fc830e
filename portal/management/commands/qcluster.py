"""`manage.py qcluster`: django-q2's cluster, under a supervisor that always ends.

This command replaces django-q2's own `qcluster` (portal comes first in INSTALLED_APPS) with a
thin wrapper around the same public `Cluster` class. django-q2's command waits without bound
while it stops (a dead worker or monitor can leave it joining a queue forever, and a second
SIGTERM re-enters the same wait), which blocks every deploy and restart. Here:

- SIGTERM or SIGINT asks the cluster to stop the way django-q2 does (the pusher stops taking
  tasks, a running task finishes); whatever is still alive `Q_TIMEOUT` + 5 s later is killed.
  An unfinished task is not acknowledged, so the broker hands it out again after `retry`
  seconds (the scheduled jobs are idempotent). Exit status 0 when everything stopped on its
  own, 1 when something had to be killed.
- django-q2's sentinel restarts a worker, the pusher or the monitor that dies. When the
  sentinel itself dies, nothing would restart them: the command kills what is left and exits
  with status 2, so that the process manager (honcho in `make run`, systemd in production)
  notices and restarts it.
"""

import contextlib
import logging
import os
import signal
import time

import psutil
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

logger = logging.getLogger("portal.qcluster")

GRACE_SECONDS = 5  # beyond Q_TIMEOUT, for the cluster's own shutdown steps
EXIT_STOPPED, EXIT_KILLED, EXIT_SENTINEL_DIED = 0, 1, 2


class Command(BaseCommand):
    help = "启动任务队列（django-q2 集群）：定时发布、过期下线、月度通报都靠它运行。"

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=0.5, help="检查子进程的间隔（秒）")

    def handle(self, *args, poll=0.5, **options):
        from django_q.cluster import Cluster
        from django_q.conf import Conf

        settings.SECRET_KEY  # noqa: B018 - django-q2 signs tasks with it: fail now, not in a worker
        stop_requested = []

        def request_stop(signum, frame):
            stop_requested.append(signum)

        cluster = Cluster()  # installs django-q2's handlers, which wait without bound: replace them
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        connections.close_all()  # a forked child must not share the parent's connection
        try:
            cluster.start()
        except RuntimeError as exc:
            self.stderr.write(f"任务队列启动失败：{exc}")
            self._exit(EXIT_SENTINEL_DIED)
        sentinel = cluster.sentinel
        self.stdout.write(
            f"任务队列已启动（进程 {os.getpid()}，超时 {Conf.TIMEOUT} 秒）。按 Ctrl-C 或发送 SIGTERM 停止。"
        )
        self.stdout.flush()
        tree = {}
        while not stop_requested:
            self._remember(tree, sentinel.pid)
            if not sentinel.is_alive():
                self.stderr.write(f"任务队列的守护进程已退出（退出码 {sentinel.exitcode}），停止其余进程。")
                self._kill(tree)
                self._exit(EXIT_SENTINEL_DIED)
            time.sleep(poll)
        self._remember(tree, sentinel.pid)
        deadline = (Conf.TIMEOUT or 30) + GRACE_SECONDS
        self.stdout.write(f"收到停止信号：等待正在运行的任务完成（最多 {deadline} 秒）。")
        self.stdout.flush()
        cluster.stop_event.set()
        sentinel.join(deadline)
        left = self._kill(tree)
        if left:
            self.stderr.write(f"{left} 个任务队列进程未在 {deadline} 秒内停止，已强制结束；未完成的任务会重新排队。")
            self._exit(EXIT_KILLED)
        self.stdout.write("任务队列已停止。")
        self._exit(EXIT_STOPPED)

    @staticmethod
    def _remember(tree, sentinel_pid):
        """Note the sentinel and its descendants while they can still be found by parentage."""
        try:
            root = psutil.Process(sentinel_pid)
            for process in [root, *root.children(recursive=True)]:
                tree.setdefault(process.pid, process)
        except psutil.NoSuchProcess:
            pass

    @staticmethod
    def _kill(tree):
        """Kill every remembered process still running (psutil checks it is the same process)."""
        alive = [process for process in tree.values() if _alive(process)]
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(alive, timeout=5)
        return len(alive)

    def _exit(self, code):
        """End now: multiprocessing's exit hooks would join queues that may never drain."""
        self.stdout.flush()
        self.stderr.flush()
        logging.shutdown()
        os._exit(code)


def _alive(process):
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
