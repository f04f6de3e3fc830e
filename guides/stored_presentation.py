"""What a published item page shows, rendered once and stored (issue 18: a cheap cache miss).

An item page is mostly its own content: the eight disclosures, the six rules, materials, fees,
result and change history. That part (`guides/item_body.html`), the schema.org JSON-LD and the
breadcrumbs are rendered when the item is published, per language, and stored in
`ItemPresentation`. Serving the page then renders only the site's frame (header, navigation,
footer), the stored HTML and the two parts that change without a publish: the 好差评 summary
and the 常见问题 box (disclosures' template tags, between the stored halves).

A stored row is used only while it is still what a fresh render would give:
- `revision_id` is the item's live revision (a publish of the item renders it again);
- `data_stamp` is the DATA generation of portal.pagecache at render time (centers,
  departments, fees, themes, documents, settings, holidays and the catalog's own pages: any
  change to them bumps it; the generation is never reused, see portal.pagecache) and a digest
  of the code that renders (templates, modules, translations, static manifest: a release);
- `fees_day` is the day the fees in force were worked out for (only items with fees: a fee
  version comes into force by date).
Otherwise the page is rendered in full (the visit does not write; the answer is still kept per
revision by guides.item_page), so a visit never sees stale data.
Publishing renders the item at once (after the commit; a batch of more than INLINE_BATCH
pages is left to the task cluster), and the `item-presentations` schedule renders what a data
change made stale, so visitors rarely pay for a full render. `manage.py build_presentations`
does it by hand.
"""

import contextlib
import functools
import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core import pageviews
from portal import pagecache

logger = logging.getLogger(__name__)

MARKER = "<!-- gongkai:feedback -->"
INLINE_BATCH = 10
SCHEDULE = "item-presentations"
FUNC = "guides.stored_presentation.refresh_stale"
SCHEDULE_MINUTES = 5


class ItemPresentation(models.Model):
    page = models.ForeignKey("guides.GuidePage", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=16)
    revision_id = models.BigIntegerField(_("据以呈现的修订"))
    data_stamp = models.CharField(max_length=64)
    fees_day = models.DateField(null=True, blank=True)
    head = models.TextField(blank=True)
    body = models.TextField()
    breadcrumbs = models.JSONField(default=list)
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("事项页面呈现")
        verbose_name_plural = _("事项页面呈现")
        constraints = [models.UniqueConstraint(fields=["page", "language"], name="guides_presentation_page_language")]

    def __str__(self):
        return f"{self.page_id} {self.language} @{self.revision_id}"


@dataclass(frozen=True)
class Presentation:
    head: str
    body: str
    breadcrumbs: list

    @property
    def jsonld(self):
        return mark_safe(self.head)  # made safe for a script element by presentation.json_script_safe

    @property
    def before_feedback(self):
        return mark_safe(self.body.partition(MARKER)[0])  # rendered by our own template

    @property
    def after_feedback(self):
        return mark_safe(self.body.partition(MARKER)[2])  # rendered by our own template


# What a stored row was rendered by: a release that changes any of these renders every row again.
TEMPLATES = ("guides/item_body.html", "guides/includes/material_markers.html")
MODULES = ("guides.presentation", "guides.views", "guides.completeness", "guides.handling_rules", "guides.history")


@functools.lru_cache(maxsize=1)
def code_fingerprint():
    """A digest of the templates, modules and translation catalogs that render a presentation,
    and of the static files' manifest (their hashed names are in the HTML): computed once per
    process, part of every row's stamp."""
    import hashlib
    import importlib
    from pathlib import Path

    from django.template.loader import get_template

    digest = hashlib.sha256(pagecache.release().encode())
    paths = [Path(get_template(name).origin.name) for name in TEMPLATES]
    paths += [Path(importlib.import_module(name).__file__) for name in MODULES]
    for locale_dir in settings.LOCALE_PATHS:
        paths += sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.mo"))
    for path in paths:
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _stamp():
    return f"{pagecache.generation(pagecache.DATA)}:{code_fingerprint()}"


def _fees_day(item):
    return timezone.localdate() if getattr(item, "_fees_in_force", None) else None


def render(item, language=None):
    """Render what the item shows, in `language` (default: the active one). Returns
    (Presentation, fees_day); the item's parts are fetched on the instance."""
    with translation.override(language or translation.get_language()):
        context = pageviews.view("guides.item_context")(item, None)
        body = render_to_string("guides/item_body.html", context)
        crumbs = [{"title": str(crumb["title"]), "url": crumb["url"]} for crumb in context["breadcrumbs"]]
    return Presentation(head=str(context["jsonld"]), body=body, breadcrumbs=crumbs), _fees_day(item)


def _valid(row, item, stamp):
    return (
        row.revision_id == item.live_revision_id
        and row.data_stamp == stamp
        and (row.fees_day is None or row.fees_day == timezone.localdate())
    )


def store(item, language):
    """Render the live item in `language` and store it: an UPDATE of its row, or an INSERT when
    there is none yet."""
    stamp = _stamp()  # read before rendering: a change meanwhile leaves the row stale, not wrong
    presentation, fees_day = render(item, language)
    fields = {
        "revision_id": item.live_revision_id,
        "data_stamp": stamp,
        "fees_day": fees_day,
        "head": presentation.head,
        "body": presentation.body,
        "breadcrumbs": presentation.breadcrumbs,
        "built_at": timezone.now(),
    }
    rows = ItemPresentation.objects.filter(page_id=item.pk, language=language)
    try:
        if not rows.update(**fields):
            try:
                with transaction.atomic():
                    ItemPresentation.objects.create(page_id=item.pk, language=language, **fields)
            except IntegrityError:  # inserted by another process meanwhile
                rows.update(**fields)
    except DatabaseError:  # e.g. a locked SQLite file: the page is still served, rendered
        logger.warning("item presentation of %s (%s) not stored", item.pk, language, exc_info=True)
    return presentation


def for_page(item, request=None):
    """What the page shows for this request: the stored rendering when it is current, else a
    fresh one. A visit never writes (no page view waits for a database lock, and a read replica
    would do): publishing stores the item, the schedule what a shared-data change made stale."""
    language = translation.get_language()
    if getattr(request, "is_preview", False) or not item.live or not item.live_revision_id:
        return render(item, language)[0]
    try:
        stamp = _stamp()
    except Exception:  # noqa: BLE001 - cache down: whether shared data changed is unknown, render
        logger.warning("item presentation: no DATA generation (cache down?); rendering %s", item.pk)
        return render(item, language)[0]
    row = ItemPresentation.objects.filter(page_id=item.pk, language=language).first()
    if row is not None and _valid(row, item, stamp):
        return Presentation(head=row.head, body=row.body, breadcrumbs=row.breadcrumbs)
    return render(item, language)[0]  # a visit never writes: publishing and the schedule store


def languages():
    return [code for code, _name in settings.LANGUAGES]


def build(pages):
    """Render and store `pages` (live items) in every language. Returns the number of rows."""
    written = 0
    for item in pages:
        if not item.live or not item.live_revision_id:
            continue
        for language in languages():
            store(item, language)
            written += 1
    return written


def _live_items(ids=None):
    from .models import GuidePage

    items = GuidePage.objects.live().select_related("center", "department").order_by("pk")
    return items.filter(pk__in=ids) if ids is not None else items


def build_pages(ids):
    """Task-cluster entry point: render the given items (after a large publish)."""
    return build(_live_items(ids))


def refresh_stale(limit=2000):
    """Render the live items whose stored rows are missing or stale (schedule `item-presentations`).
    Returns the number of rows written."""
    stamp = _stamp()
    today = timezone.localdate()
    wanted = set(languages())
    current = {}
    for page_id, language, revision_id, data_stamp, fees_day in ItemPresentation.objects.values_list(
        "page_id", "language", "revision_id", "data_stamp", "fees_day"
    ).iterator():
        if data_stamp == stamp and (fees_day is None or fees_day == today):
            current.setdefault(page_id, {})[language] = revision_id
    stale = []
    for page_id, revision_id in _live_items().values_list("pk", "live_revision_id").iterator():
        rows = current.get(page_id, {})
        if any(rows.get(language) != revision_id for language in wanted):
            stale.append(page_id)
        if len(stale) >= limit:
            break
    return build(_live_items(stale)) if stale else 0


# Publishing: the items published in one transaction are rendered once it commits.
_pending = threading.local()


def _flush():
    ids = sorted(getattr(_pending, "ids", set()))
    _pending.ids = set()
    if not ids:
        return
    if len(ids) > INLINE_BATCH:
        try:
            from django_q.tasks import async_task

            async_task(FUNC.rsplit(".", 1)[0] + ".build_pages", ids, task_name="item-presentations", group="guides")
            return
        except Exception:  # noqa: BLE001 - no queue: the schedule and the first visits render them
            logger.warning("item presentations: could not queue %d items", len(ids))
            return
    try:
        build(_live_items(ids))
    except Exception:  # a publish never fails for this; the first visit renders
        logger.exception("item presentations: rendering after publish failed")


def published(sender=None, instance=None, **_kwargs):
    """page_published receiver for items: render the item once the transaction commits.

    The ids of one transaction are rendered together by one on-commit callback. Whether that
    callback is still waiting is read from the connection's on-commit list, which Django empties
    when the transaction rolls back: the ids of a rolled-back publish are then dropped, not
    carried into the next transaction's batch."""
    from django.db import connection

    waiting = any(entry[1] is _flush for entry in getattr(connection, "run_on_commit", ()))
    if not waiting:
        _pending.ids = set()
    _pending.ids.add(instance.pk)
    if not waiting:
        transaction.on_commit(_flush)


def connect_signals():
    from wagtail.signals import page_published

    from .models import GuidePage

    page_published.connect(published, sender=GuidePage, dispatch_uid="guides-item-presentation", weak=False)
