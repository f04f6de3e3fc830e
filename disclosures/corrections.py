"""Corrections of published bulletins: versions and public change notes.

When a bulletin that has been published is rebuilt and its figures differ (late cases, a
corrected import), the new revision becomes the next version: it carries a change note (every
figure that changed, old → new, with its counts) and the list of earlier notes, frozen in the
page's `extra` like the figures. Each earlier version stays downloadable: a note records the
revision that was live before it, and that revision keeps its own figures and PDF
(/api/bulletins/<center>/<YYYY-MM>/v<N>.<fmt>). A rebuild that changes nothing keeps the version.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from . import bulletin_data, opendata
from .bulletin_tables import format_rate

MAX_CHANGES = 200


def _observations(data):
    return {
        (row["level"], row["center_code"], row["department_code"], row["metric"]): row
        for row in opendata.tidy_rows(data)
    }


def _display(row):
    if row is None or row["value"] is None:
        return "—"
    if row["unit"] == "%":
        return f"{format_rate(row['value'])}（{row['numerator']}/{row['denominator']}）"
    return f"{row['value']}{row['unit']}"


def changes(old, new):
    """Every observation whose value or counts differ between two bulletins' frozen data."""
    before, after = _observations(old), _observations(new)
    out = []
    for key in list(after) + [k for k in before if k not in after]:
        old_row, new_row = before.get(key), after.get(key)
        fields = ("value", "numerator", "denominator")
        if old_row and new_row and all(old_row[f] == new_row[f] for f in fields):
            continue
        row = new_row or old_row
        subject = row["center_name"] + (f" · {row['department_name']}" if row["department_name"] else "")
        out.append(
            {
                "subject": subject,
                "metric": row["metric"],
                "metric_name": row["metric_name"],
                "old": _display(old_row),
                "new": _display(new_row),
            }
        )
    return out


def version_fields(live_data, new_data, live_revision_id):
    """The `extra` keys (version, corrections) of a rebuilt bulletin, given the live one's data
    (None when it was never published)."""
    if live_data is None:
        return {"version": 1, "corrections": []}
    version = live_data.get("version") or 1
    notes = list(live_data.get("corrections") or [])
    found = changes(live_data, new_data)
    if not found:
        return {"version": version, "corrections": notes}
    notes.append(
        {
            "version": version + 1,
            "date": timezone.localdate().isoformat(),
            "previous_version": version,
            "previous_revision": live_revision_id,
            "total": len(found),
            "changes": found[:MAX_CHANGES],
        }
    )
    return {"version": version + 1, "corrections": notes}


def summary(note):
    """One line for a feed or a list: the number of changed figures and the first few."""
    parts = [f"{c['subject']} {c['metric_name']} {c['old']} → {c['new']}" for c in note.get("changes", [])[:5]]
    text = _("第%(v)s版更正了 %(n)s 项数据：") % {"v": note.get("version"), "n": note.get("total", len(parts))}
    return text + "；".join(parts) + ("……" if note.get("total", 0) > len(parts) else "")


def earlier_version(page, version):
    """(frozen data, PDF document) of an earlier version of a live bulletin, or (None, None)."""
    from wagtail.models import Revision

    data = bulletin_data.page_data(page)
    if version == (data.get("version") or 1):
        return data, page.pdf
    note = next((n for n in data.get("corrections") or [] if n.get("previous_version") == version), None)
    if note is None or not note.get("previous_revision"):
        return None, None
    revision = Revision.page_revisions.filter(pk=note["previous_revision"], object_id=str(page.pk)).first()
    if revision is None:
        return None, None
    old = revision.as_object()
    return bulletin_data.page_data(old), old.pdf


def versions(data, center_code, period):
    """Every version of a bulletin, newest first: {"version", "date", "current", "urls", "note"}."""
    current = data.get("version") or 1
    notes = {n["version"]: n for n in data.get("corrections") or []}
    out = []
    for version in range(current, 0, -1):
        note = notes.get(version)
        out.append(
            {
                "version": version,
                "current": version == current,
                "note": note,
                "urls": bulletin_data.data_urls(center_code, period, version=version),
            }
        )
    return out
