"""`manage.py import_catalog` with 5,000 items (CSV) on SQLite and PostgreSQL: wall time, peak memory.

Throwaway state: a temporary state directory (SQLite) and a created-and-dropped PostgreSQL
database, each migrated and given the demo organisation, site and themes (no demo items). A CSV
of BENCH_IMPORT_ITEMS items (default 5,000) with every disclosure filled is imported three
times: all new, the same file again (nothing changes: the idempotent path), and a file where
every item changed (5,000 updates, one new revision each). Target: <= 60 s for the 5,000 new.

Search index sync runs as configured for the embedded default (synchronously after commit,
SEARCH_SYNC_ASYNC unset); BENCH_IMPORT_SEARCH_ASYNC=1 measures with the task queue instead.
"""

import csv
import os
import tempfile
from pathlib import Path

from common import manage, peak_memory, postgres_database, python, row, server_env

ROOT = Path(__file__).resolve().parent.parent
COUNT = int(os.environ.get("BENCH_IMPORT_ITEMS", "5000"))
SETUP = (
    "from portal import demo as p; p.seed(); "
    "from guides import demo as g; g.seed_themes(); home = p.HomePage.objects.first(); from guides.tree import ensure_index_pages; ensure_index_pages(home)"
)
CENTERS = {
    "city": ["scjg", "gaj", "rsj", "wjw", "wgl", "xf", "zrzy", "zjj", "sw", "mz", "jt", "sthj", "yb", "bdc", "gjj"],
    **{c: ["scjg", "gaj", "rsj", "wjw", "wgl", "xf", "mz", "bdc"] for c in ["dongcheng", "xicheng", "nanhu"]},
}
HEADER = [
    "所属中心",
    "实施主体",
    "事项编码",
    "事项名称",
    "事项类型",
    "服务对象",
    "主题",
    "办理流程",
    "受理条件",
    "办件类型",
    "设定依据",
    "申请材料",
    "法定办结时限",
    "承诺办结时限",
    "是否收费",
    "窗口权限",
    "办理地点",
    "咨询电话",
    "最近审核日期",
]


def write_csv(path, count, variant=0):
    slots = [(center, dept) for center, depts in CENTERS.items() for dept in depts]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(count):
            center, dept = slots[n % len(slots)]
            statutory = 10 + n % 20
            writer.writerow(
                [
                    center,
                    dept,
                    f"BENCH-{n:05d}",
                    f"基准测试事项{n}（{'变更' if variant else '新办'}）",
                    "行政许可",
                    "个人",
                    "ids,household",
                    "受理|窗口收取材料|窗口工作人员|1 个工作日\n审查|审查材料|审核人员|3 个工作日\n决定|作出决定|审批人员|1 个工作日",
                    "申请人符合法定条件，材料齐全。",
                    "承诺件",
                    "中华人民共和国行政许可法|全国人民代表大会常务委员会|第二十九条\n某某管理条例|国务院|第十条",
                    "申请表|申请人自备|1|0\n申请人居民身份证|公安机关|1|1\n营业执照|市场监管部门|1|1\n授权委托书|申请人自备|1|0|纸质|情形",
                    statutory,
                    statutory // 2 - variant,
                    "否",
                    "accept,review,deliver,certify",
                    f"一楼 {n % 40} 号窗口",
                    "0571-12345",
                    "2026-10-01",
                ]
            )


def _import(env, path):
    result = peak_memory([python(), "manage.py", "import_catalog", str(path)], env=env, cwd=ROOT)
    if result["returncode"] != 0:
        raise RuntimeError(result["output"][-3000:])
    print("   ", result["output"].strip().splitlines()[-1])
    return result


def _measure(label, env, state):
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "shell", "-c", SETUP)
    first, second = Path(state) / "items.csv", Path(state) / "items-changed.csv"
    write_csv(first, COUNT)
    write_csv(second, COUNT, variant=1)
    rows = []
    for what, path in (("new", first), ("same file again", first), ("every item changed", second)):
        result = _import(env, path)
        name = f"import_catalog {COUNT:,} items ({label}, {what})"
        target_ok = result["seconds"] <= 60
        rows.append(row(f"{name}: wall time", result["seconds"], "s", "<= 60", target_ok))
        rows.append(row(f"{name}: peak memory", result["peak_mib"], "MiB", "report"))
    return rows


def run():
    extra = {"SEARCH_SYNC_ASYNC": "1"} if os.environ.get("BENCH_IMPORT_SEARCH_ASYNC") == "1" else {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-import-catalog-") as state:
        env = server_env(state, **extra)
        rows += _measure("SQLite", env, state)
    with (
        tempfile.TemporaryDirectory(prefix="bench-import-catalog-pg-") as state,
        postgres_database(prefix="bench_catalog") as url,
    ):
        env = server_env(state, url, **extra)
        rows += _measure("PostgreSQL", env, state)
    return rows


if __name__ == "__main__":
    for line in run():
        print(line)
