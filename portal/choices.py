"""The portal's choices and labels (notices), in one place for models, listings and feeds."""

from django.utils.translation import gettext_lazy as _

NOTICE_CATEGORIES = [
    ("notice", _("通知")),
    ("announcement", _("公告")),
    ("publicity", _("公示")),
    ("interpretation", _("政策解读")),
]
