"""The site's time zone (TIME_ZONE, Asia/Shanghai): the one helper every app uses.

Built on django.utils.timezone; month arithmetic uses dateutil.relativedelta where it is needed.
"""

import datetime

from django.utils import timezone


def local_tz():
    """The site's time zone (settings.TIME_ZONE) as a tzinfo."""
    return timezone.get_default_timezone()


def local_date(moment):
    """The site's calendar day of an aware datetime (a naive one keeps its own day; a date is returned unchanged)."""
    if isinstance(moment, datetime.datetime):
        if timezone.is_naive(moment):
            return moment.date()
        return timezone.localtime(moment, local_tz()).date()
    return moment
