"""`manage.py qcluster` always ends: SIGTERM stops a busy cluster within Q_TIMEOUT + 10 s (the
running task finishes, or whatever outlives the deadline is killed), a dead sentinel makes it
exit non-zero, and a dead worker is replaced. Each cluster is a real process, stopped by PID."""

import os
import signal
import time

import psutil
import pytest

from tests.conftest import running_cluster

pytestmark = [pytest.mark.cluster, pytest.mark.django_db(transaction=True)]


def _group_alive(pgid):
    """Processes of the cluster's process group still running (zombies awaiting a reaper aside)."""
    alive = []
    for process in psutil.process_iter(["status"]):
        try:
            if os.getpgid(process.pid) == pgid and process.info["status"] != psutil.STATUS_ZOMBIE:
                alive.append(process.pid)
        except (ProcessLookupError, psutil.Error):
            continue
    return alive


def _busy_cluster(cluster, tmp_path, func="tests.portal.cluster_tasks.busy", seconds=120):
    from django_q.tasks import async_task

    marker = tmp_path / "started"
    async_task(func, str(marker), seconds)
    cluster.wait_for(marker.exists, timeout=60, interval=0.2)


def test_sigterm_stops_a_busy_cluster_within_its_timeout(tmp_path):
    q_timeout = 4
    with running_cluster(q_timeout=q_timeout, guard_cycle=0.5) as cluster:
        _busy_cluster(cluster, tmp_path)
        started = time.monotonic()
        os.kill(cluster.pid, signal.SIGTERM)
        status = cluster.wait_exit(q_timeout + 10)
        took = time.monotonic() - started
        assert status is not None, f"qcluster still running {q_timeout + 10} s after SIGTERM:\n{cluster.log()}"
        assert status == 0, cluster.log()
        assert took < q_timeout + 10
        assert "任务队列已停止" in cluster.log()
        assert _group_alive(cluster.pid) == []


def test_sigterm_kills_a_task_that_ignores_the_timeout_and_exits_non_zero(tmp_path):
    q_timeout = 3
    with running_cluster(q_timeout=q_timeout, guard_cycle=0.5) as cluster:
        _busy_cluster(cluster, tmp_path, func="tests.portal.cluster_tasks.stuck", seconds=300)
        started = time.monotonic()
        os.kill(cluster.pid, signal.SIGTERM)
        status = cluster.wait_exit(q_timeout + 10)
        assert status is not None, f"qcluster still running {q_timeout + 10} s after SIGTERM:\n{cluster.log()}"
        assert time.monotonic() - started < q_timeout + 10
        assert status == 1, cluster.log()
        assert "已强制结束" in cluster.log()
        assert _group_alive(cluster.pid) == []


def test_a_dead_sentinel_makes_qcluster_exit_non_zero(tmp_path):
    with running_cluster(q_timeout=5, guard_cycle=0.5) as cluster:
        sentinel = psutil.Process(cluster.pid).children()[0]
        workers = sentinel.children()
        assert workers
        sentinel.kill()
        status = cluster.wait_exit(15)
        assert status == 2, cluster.log()
        assert "守护进程已退出" in cluster.log()
        psutil.wait_procs(workers, timeout=5)
        assert _group_alive(cluster.pid) == []


def test_a_worker_that_dies_mid_task_is_replaced_and_tasks_still_run(tmp_path):
    """A task that kills its worker (out of memory, a crash in a C library): django-q2's sentinel
    starts a new worker and the cluster goes on."""
    from django_q.models import Success
    from django_q.tasks import async_task

    with running_cluster(q_timeout=10, guard_cycle=0.5, workers=1) as cluster:
        _busy_cluster(cluster, tmp_path, seconds=8)
        dead = int((tmp_path / "started").read_text())
        sentinel = psutil.Process(cluster.pid).children()[0]
        assert dead in {p.pid for p in sentinel.children()}
        os.kill(dead, signal.SIGKILL)
        task_id = async_task("math.floor", 7.5)
        cluster.wait_for(lambda: Success.objects.filter(id=task_id).exists(), timeout=60)
        assert Success.objects.get(id=task_id).result == 7
        assert dead not in {p.pid for p in sentinel.children()}
        assert "worker" in cluster.log() and "重生" in cluster.log()  # django-q2: reincarnated worker
        assert cluster.process.poll() is None
