"""Commands on a freshly migrated database without `init_site`: each ends with a clear Chinese
message (the import names the command to run first), never a Python traceback."""

import os
import subprocess
import sys

from django.conf import settings

ORG = "kind,code,name,parent,level\ncenter,C00,测试中心,,city\ndepartment,SCJG,市场监管局,C00,\n"
CATALOG = (
    "所属中心,实施主体,事项编码,事项名称,事项类型,服务对象,办件类型,法定办结时限,承诺办结时限\n"
    "C00,SCJG,T-1,测试事项,行政许可,个人,承诺件,20,5\n"
)
CASES = (
    "case_no,center,item_code,channel,received_at,completed_at,status,satisfaction,complaint\n"
    "F-1,c00,t-1,window,2026-03-09T09:00:00,,received,,\n"
)


def test_commands_on_a_database_without_init_site(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL")
    }
    env.update(GONGKAI_STATE_DIR=str(tmp_path), GONGKAI_LOCAL="1")
    for name, text in (("org.csv", ORG), ("catalog.csv", CATALOG), ("cases.csv", CASES)):
        (tmp_path / name).write_text(text, encoding="utf-8")

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    assert manage("migrate", "--noinput").returncode == 0
    assert manage("import_org", str(tmp_path / "org.csv")).returncode == 0

    refused = manage("import_catalog", str(tmp_path / "catalog.csv"))
    assert refused.returncode == 1
    assert "站点尚未初始化" in refused.stderr and "manage.py init_site" in refused.stderr

    cases = manage("import_cases", str(tmp_path / "cases.csv"))
    assert cases.returncode == 1 and "没有编码为“t-1”的事项" in cases.stderr  # nothing imported yet

    assert manage("init_site", "--name", "测试中心").returncode == 0
    assert manage("import_catalog", str(tmp_path / "catalog.csv")).returncode == 0
    imported = manage("import_cases", str(tmp_path / "cases.csv"))
    assert imported.returncode == 0, imported.stderr
