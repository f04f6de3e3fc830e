"""Admin side of catalog import: the 导入事项 upload view, its menu, and the audit-log action.

Registered from guides/wagtail_hooks.py (one import line), so this feature stays self-contained.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .importing import IMPORT_LOG_ACTION


@hooks.register("register_log_actions")
def register_import_log_action(actions):
    def message(log_entry):
        data = log_entry.data or {}
        return _("导入事项文件“%(filename)s”：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s") % {
            "filename": data.get("filename", ""),
            "created": data.get("created", 0),
            "updated": data.get("updated", 0),
            "unchanged": data.get("unchanged", 0),
        }

    actions.register_action(IMPORT_LOG_ACTION, _("导入事项"), message)
