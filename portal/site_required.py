"""What a command says on a database that is not a Gongkai site yet (migrated, no `init_site`)."""

from django.utils.translation import gettext as _


def missing_site_message():
    """None when the site has its home page; else a Chinese message naming the command to run."""
    from .models import HomePage

    if HomePage.objects.exists():
        return None
    return _(
        "站点尚未初始化（没有首页）：请先运行 manage.py init_site --name 中心名称"
        "（想看演示站点则运行 manage.py seed_demo），再重新执行本命令。"
    )
