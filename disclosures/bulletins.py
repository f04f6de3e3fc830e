"""Building monthly bulletins: freeze the figures on a BulletinPage, render its PDF, revise it.

Why freeze: a bulletin is a published record. The figures are computed once by
disclosures.statistics and stored on the page (and in each revision), so later corrections to
case data never silently change what was published; rebuilding makes a new revision of the same
page, which editors can compare and publish.
"""

import calendar
import datetime
import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.richtext import clean_rich_text

from . import bulletin_tables as tables
from . import charts


def expand_db_html(html):
    from wagtail.rich_text import expand_db_html as expand

    return expand(html)


ALL = "all"
PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


class BulletinError(Exception):
    """Bad input for a bulletin build (period, center): a message fit to show the editor."""


def parse_period(value):
    """'2026-10' -> date(2026, 10, 1); a clear error for anything else."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    match = PERIOD_RE.match(str(value or "").strip())
    if not match:
        raise BulletinError(_("统计月份“%(value)s”格式不正确，应为 YYYY-MM，例如 2026-10。") % {"value": value})
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12) or year < 2000:
        raise BulletinError(_("统计月份“%(value)s”不存在。") % {"value": value})
    return datetime.date(year, month, 1)


def format_period(period):
    return f"{period.year:04d}-{period.month:02d}"


def period_label(period):
    """“2026年11月”; in English “November 2026” (the language's YEAR_MONTH_FORMAT)."""
    return date_format(period, "YEAR_MONTH_FORMAT")


def period_end(period):
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def previous_period(today=None):
    """The month before `today` (local date): what a scheduled build covers."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def city_name():
    return _("全市")


def bulletin_title(center_name, period):
    return _("%(center)s%(period)s运行情况通报") % {"center": center_name, "period": period_label(period)}


def bulletin_slug(center_code, period):
    return f"{center_code}-{format_period(period)}"


# --- The public data of a bulletin -------------------------------------------------------------

FROZEN_FIELDS = ("counts", "figures", "ranking", "departments", "trend")


def issuer(data):
    """The issuing center and the city of a bulletin, for the PDF cover and the citation: a
    center issues its own bulletin; the whole city's is issued by the city-level center."""
    from portal.models import ServiceCenter

    city_center = ServiceCenter.objects.filter(parent__isnull=True).order_by("sort_order", "code").first()
    city = city_center.name.removesuffix("政务服务中心") if city_center else ""
    if data.get("center") == ALL:
        name = city_center.name if city_center else ""
        scope = _("全市（%(n)s个政务服务中心）") % {"n": len(data.get("centers") or data.get("ranking") or [])}
    else:
        name = data.get("center_name") or ""
        scope = name
    return {"name": name, "city": city, "scope": scope}


def page_data(page):
    """The DESIGN.md JSON of a bulletin page from its frozen fields (plus overdue etc.)."""
    data = {
        "center": page.center.code if page.center_id else ALL,
        "center_name": page.center.name if page.center_id else city_name(),
        "period": format_period(page.period),
        "title": page.title,
        "counts": page.counts or {},
        "figures": page.figures or {},
        "ranking": page.ranking or [],
        "departments": page.departments or [],
    }
    for key, value in (page.extra or {}).items():
        data.setdefault(key, value)
    data["trend"] = page.trend or []
    data["has_cases"] = bool(data["counts"].get("received") or data["counts"].get("completed") or data.get("overdue"))
    return data


def freeze(page, stats):
    """Copy the statistics dict onto the page's frozen fields; other keys go to `extra`."""
    page.counts = stats.get("counts") or {}
    page.figures = stats.get("figures") or {}
    page.ranking = stats.get("ranking") or []
    page.departments = stats.get("departments") or []
    page.trend = stats.get("trend") or []
    page.extra = {
        key: value
        for key, value in stats.items()
        if key not in (*FROZEN_FIELDS, "center", "period", "center_name", "title", "has_cases", "url", "revision")
    }


def presentation(
    data,
    *,
    period,
    narrative="",
    generated_at=None,
    permalink="",
    published_at=None,
    revision_id=None,
    neighbours=(None, None),
    sort="",
    order="",
):
    """Everything the page template and the PDF show, computed once from the frozen data.

    neighbours: last month's and last year's frozen data of the same center (环比/同比)."""
    from . import comparison

    compared = comparison.tables(data, neighbours[0], neighbours[1], sort=sort, order=order)
    summary = tables.summary_rows(data)
    headline_keys = ("received", "completed", "on_time_rate", "same_day_rate", "entry_rate")
    is_all = data.get("center") == ALL
    ranking = data.get("ranking") or []
    sections = [
        ("summary", _("主要指标")),
        ("charts", _("图表")),
        ("comparison", _("比率对比与排名")),
        ("ranking", _("各中心办结量排名")),
        ("departments", _("各部门办件情况")),
        ("service", _("超期、投诉与满意度")),
        ("definitions", _("指标定义")),
    ]
    return {
        "title": data.get("title") or bulletin_title(data.get("center_name", ""), period),
        "center": data.get("center"),
        "center_name": data.get("center_name", ""),
        "is_all": is_all,
        "period": format_period(period),
        "period_label": period_label(period),
        "period_start": period,
        "period_end": period_end(period),
        "data": data,
        "empty": tables.is_empty(data),
        "headline": [row for row in summary if row["key"] in headline_keys],
        "summary": summary,
        "extras": tables.extra_rows(data),
        "departments": tables.department_table(data),
        "ranking": ranking,
        "trend_rows": tables.trend_rows(data),
        "charts": {
            "bars": charts.ranking_bar_chart(ranking, highlight=None if is_all else data.get("center"))
            if ranking
            else "",
            "trend": charts.trend_line_chart(data.get("trend") or []),
        },
        "comparison": compared,
        "comparison_tables": [("centers", compared["centers"]), ("departments", compared["departments"])],
        "definitions": tables.definitions(),
        "sections": sections,
        "version": data.get("version") or 1,
        "corrections": data.get("corrections") or [],
        "issuer": issuer(data),
        "narrative": narrative,
        "generated_at": generated_at,
        "published_at": published_at,
        "permalink": permalink,
        "revision_id": revision_id,
    }


def page_presentation(page, revision_id=None, sort="", order=""):
    """presentation() of a BulletinPage (live, draft preview or revision object)."""
    from . import opendata

    narrative = mark_safe(expand_db_html(clean_rich_text(page.narrative))) if page.narrative else ""
    data = page_data(page)
    return presentation(
        data,
        neighbours=opendata.neighbours(data["center"], page.period),
        sort=sort,
        order=order,
        period=page.period,
        narrative=narrative,
        generated_at=page.generated_at,
        permalink=permalink(page.get_parent(), page.slug) if page.pk else "",
        published_at=page.first_published_at,
        revision_id=revision_id,
    )


def permalink(index, slug):
    """Absolute URL of the bulletin `slug` under the archive page `index`.

    Built from the site's root URL and the page path rather than page.full_url, which loads the
    whole URLconf (~60 MB) before the PDF render; a worker's peak memory is that of the render.
    Nor Page.get_site(): it calls reverse() and so loads the URLconf too. The site is the first
    of Wagtail's cached site root paths that contains the page, as get_url_parts() picks it.
    """
    if index is None:
        return ""
    from wagtail.models import Site

    site = next((root for root in Site.get_site_root_paths() if index.url_path.startswith(root.root_path)), None)
    if site is None:
        return ""
    path = index.url_path[len(site.root_path) - 1 :]
    return f"{site.root_url}{path}{slug}/"


def data_urls(center_code, period, version=None):
    """Stable public URLs of a bulletin's data: JSON, PDF, CSV, XLSX, datapackage.json; with
    `version`, the URLs of that earlier version (kept after a correction)."""
    base = f"/api/bulletins/{center_code}/{format_period(period)}"
    if version:
        base = f"{base}/v{version}"
        return {fmt: f"{base}.{fmt}" for fmt in ("json", "pdf", "csv", "xlsx")} | {
            "datapackage": f"{base}/datapackage.json"
        }
    return {
        "json": f"{base}/",
        "pdf": f"{base}.pdf",
        "csv": f"{base}.csv",
        "xlsx": f"{base}.xlsx",
        "datapackage": f"{base}/datapackage.json",
    }


# --- Building ----------------------------------------------------------------------------------


def targets():
    """Every bulletin of a month: one per center, in order, and the whole city ('all')."""
    from portal.models import ServiceCenter

    return [*ServiceCenter.objects.order_by("sort_order", "code").values_list("code", flat=True), ALL]


def resolve_center(code):
    """A ServiceCenter for a code, None for 'all'; BulletinError for an unknown code."""
    from portal.models import ServiceCenter

    if code in (None, "", ALL):
        return None
    center = ServiceCenter.objects.filter(code=code).first()
    if center is None:
        raise BulletinError(_("找不到编码为“%(code)s”的服务中心。") % {"code": code})
    return center


def compute(center, period):
    """The statistics dict for a center (None = the whole city) and a month."""
    from . import statistics

    try:
        return statistics.compute(center.code if center else ALL, period)
    except statistics.StatisticsError as exc:
        raise BulletinError(str(exc))


def bulletin_index():
    """The archive page (/bulletins/); created under the site's root page when missing."""
    from wagtail.models import Site

    from .models import BulletinIndexPage

    index = BulletinIndexPage.objects.first()
    if index is not None:
        return index
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        raise BulletinError(_("站点尚未设置，无法创建通报栏目。"))
    index = BulletinIndexPage(title=_("运行情况通报"), slug="bulletins")
    site.root_page.add_child(instance=index)
    return index


def publish_default():
    from wagtail.models import Site

    from .models import BulletinSettings

    site = Site.objects.filter(is_default_site=True).first()
    settings_obj = BulletinSettings.for_site(site) if site else BulletinSettings.objects.first()
    return bool(settings_obj and settings_obj.publish_directly)


def _store_pdf(page, pdf_bytes, replace):
    """Store the PDF as a Wagtail Document: replace the file in place, or make a new document
    (for a draft of a live page, so the public file keeps matching the published figures)."""
    from wagtail.documents import get_document_model

    Document = get_document_model()
    filename = f"bulletin-{page.slug}.pdf"
    document = page.pdf if (replace and page.pdf_id) else None
    if document is None:
        from wagtail.models import Collection

        root = Collection.get_first_root_node() or Collection.add_root(name="Root")
        document = Document(title=page.title, collection=root)
    else:
        old_name = document.file.name
        document.title = page.title
        if old_name:
            document.file.storage.delete(old_name)
    document.file.save(filename, ContentFile(pdf_bytes), save=False)
    document.file_size = len(pdf_bytes)
    document._set_file_hash()
    document.save()
    return document


def _current(center, period):
    """The bulletin page of (center, period) and the object to build on: its latest draft when it
    has unpublished changes (so an editor's narrative is kept), else the page itself."""
    from .models import BulletinPage

    page = BulletinPage.objects.filter(center=center, period=period).first()
    if page is None:
        return None, None
    if page.has_unpublished_changes and page.latest_revision_id:
        return page, page.get_latest_revision_as_object()
    return page, page


def build_bulletin(period, center_code=ALL, publish=None, user=None):
    """Build (or rebuild) one bulletin; returns (page, revision).

    publish: True/False, or None for BulletinSettings.publish_directly. The statistics and the PDF
    are computed before the write transaction, which then only stores the results (short locks).
    """
    from . import corrections, opendata
    from . import pdf as pdf_module
    from .models import BulletinPage

    period = parse_period(period)
    center = resolve_center(center_code)
    if publish is None:
        publish = publish_default()
    stats = compute(center, period)
    title = bulletin_title(center.name if center else city_name(), period)
    slug = bulletin_slug(center.code if center else ALL, period)

    page, source = _current(center, period)
    index = page.get_parent() if page else bulletin_index()
    draft = BulletinPage(
        title=title,
        slug=page.slug if page else slug,
        center=center,
        period=period,
        narrative=source.narrative if source else "",
        generated_at=timezone.now(),
    )
    freeze(draft, stats)
    live_data = page_data(page) if page is not None and page.live else None
    versioning = corrections.version_fields(live_data, page_data(draft), page.live_revision_id if page else None)
    draft.extra.update(versioning)
    is_correction = live_data is not None and versioning["version"] != (live_data.get("version") or 1)
    data = page_data(draft)
    context = presentation(
        data,
        period=period,
        narrative=mark_safe(expand_db_html(clean_rich_text(draft.narrative))) if draft.narrative else "",
        generated_at=draft.generated_at,
        permalink=permalink(index, draft.slug),
        neighbours=opendata.neighbours(data["center"], period),
        published_at=page.first_published_at if page else None,
    )
    pdf_bytes = pdf_module.render_pdf(context)

    with transaction.atomic():
        page = BulletinPage.objects.select_for_update().filter(center=center, period=period).first()
        if page is None:
            draft.live = False
            index.specific.add_child(instance=draft)
            page = target = BulletinPage.objects.get(pk=draft.pk)
        else:
            page, target = _current(center, period)
            target.title = title
            freeze(target, stats)
            target.extra.update(versioning)
            target.generated_at = draft.generated_at
        live_pdf_id = page.pdf_id if page.live else None
        # Replace the file in place unless the public would then see a PDF that is not published:
        # a draft of a live bulletin gets its own document, and so does a correction (the
        # earlier version's PDF stays downloadable).
        replace = (
            (publish and not is_correction)
            or not page.live
            or (target.pdf_id is not None and target.pdf_id != live_pdf_id)
        )
        target.pdf = _store_pdf(target, pdf_bytes, replace=replace)
        revision = target.save_revision(user=user, log_action=True, clean=False)
        if publish:
            revision.publish(user=user)
            if live_pdf_id and live_pdf_id != target.pdf_id and not is_correction:
                _delete_document(live_pdf_id)  # superseded by the draft's document just published
        resolve_failures(center, period)
    return BulletinPage.objects.get(pk=page.pk), revision


def document_is_unpublished_pdf(document):
    """A bulletin's PDF (the file of a bulletin row, or a file this module named
    `bulletin-….pdf`) that is not the PDF of a live bulletin: it stays private (portal/media.py)."""
    from .models import BulletinPage

    name = (document.file.name or "").rsplit("/", 1)[-1]
    links = BulletinPage.objects.filter(pdf_id=document.pk)
    if not name.startswith("bulletin-") and not links.exists():
        return False
    return not links.filter(live=True).exists()


def _delete_document(pk):
    from wagtail.documents import get_document_model

    document = get_document_model().objects.filter(pk=pk).first()
    if document is not None:
        document.file.delete(save=False)
        document.delete()


def build_month(period, publish=None, user=None, center_code=None):
    """Build the bulletins of a month: one center, or every center and the city."""
    period = parse_period(period)
    codes = [center_code] if center_code else targets()
    return [build_bulletin(period, code, publish=publish, user=user) for code in codes]


# --- Failures ----------------------------------------------------------------------------------


def record_failure(period, center_code, exc, tb=""):
    """Record (or refresh) the unresolved failure of one bulletin build for editors to see."""
    from .models import BulletinBuildFailure

    try:
        center = resolve_center(center_code)
    except BulletinError:
        center = None
    period = parse_period(period)
    message = f"{type(exc).__name__}: {exc}"[:2000]
    failure = BulletinBuildFailure.objects.filter(period=period, center=center, resolved=False).order_by("-pk").first()
    if failure is None:
        return BulletinBuildFailure.objects.create(period=period, center=center, error=message, traceback=tb)
    failure.error = message
    failure.traceback = tb
    failure.save(update_fields=["error", "traceback"])
    return failure


def resolve_failures(center, period):
    from .models import BulletinBuildFailure

    BulletinBuildFailure.objects.filter(period=period, center=center, resolved=False).update(resolved=True)


def seed_demo(stdout=None, small=False, today=None):
    """Demo bulletins from the demo cases (called by disclosures.demo.seed); idempotent.

    Full demo: the whole city for each of the last twelve months and every center for last month;
    small (tests): last month for every center and the city. Existing bulletins are left alone.
    """
    from .models import BulletinPage

    last = previous_period(today)
    wanted = [(code, last) for code in targets()]
    if not small:
        for back in range(1, 12):
            month = last
            for _step in range(back):
                month = previous_period(month)
            wanted.append((ALL, month))
    built = 0
    wanted.sort(key=lambda pair: pair[1])  # oldest first, so each PDF can show 环比 with the month before
    for code, period in wanted:
        pages = BulletinPage.objects.filter(period=period)
        pages = pages.filter(center__isnull=True) if code == ALL else pages.filter(center__code=code)
        if pages.exists():
            continue
        build_bulletin(period, code, publish=True)
        built += 1
    if stdout:
        stdout.write(f"bulletins: {built} built ({len(wanted) - built} already there)")
    return built


def home_panel(request):
    """The latest published bulletin (the whole city's first) for the home page, or None."""
    from .models import BulletinPage

    live = BulletinPage.objects.live().select_related("center")
    period = live.order_by("-period").values_list("period", flat=True).first()
    if period is None:
        return None
    bulletin = (
        live.filter(period=period, center__isnull=True).first()
        or live.filter(period=period).order_by("center__sort_order", "center__code").first()
    )
    rows = [row for row in tables.summary_rows(page_data(bulletin)) if not row["key"].startswith("authorization")]
    index = bulletin.get_parent()
    return {"bulletin": bulletin, "rows": rows, "index_url": index.url if index else "/bulletins/"}
