"""The catalog's place in the page tree: its index pages under the home page.

Used by the demo seed and by the catalog import (an import into an empty site creates them).
"""

from .models import GuideIndexPage, LifeEventIndexPage


def ensure_index_pages(home):
    guides = GuideIndexPage.objects.first()
    if guides is None:
        guides = home.add_child(
            instance=GuideIndexPage(title="办事指南", slug="guides", intro="按服务对象、主题、部门和中心查找办事指南。")
        )
    events = LifeEventIndexPage.objects.first()
    if events is None:
        events = home.add_child(
            instance=LifeEventIndexPage(
                title="一件事一次办", slug="life-events", intro="把多个部门的相关事项集成办理，一次告知、一表申请。"
            )
        )
    return guides, events
