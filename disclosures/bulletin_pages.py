"""Behaviour of the bulletin pages (templates, routes, panels, context) as mixins.

disclosures/models.py holds the pages' fields (one migration history for the app) and mixes
these classes in before wagtail's Page, so anything defined here (content_panels, template,
parent_page_types, get_context, RoutablePageMixin routes via subclassing, ...) takes effect
without a migration. Owned by the bulletin code; keep imports of disclosures.models lazy (inside
functions) to avoid an import cycle.
"""

from django.core.paginator import Paginator
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel
from wagtail.models import Page
from wagtail.search import index

from .bulletins import bulletin_title, city_name

ARCHIVE_PAGE_SIZE = 24


class BulletinIndexPageMixin:
    """The archive page (/bulletins/): filters by center and year, pagination, feed link."""

    template = "disclosures/bulletin_index_page.html"
    subpage_types = ["disclosures.BulletinPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    def get_context(self, request, *args, **kwargs):
        from portal.models import ServiceCenter

        from . import bulletins
        from .models import BulletinPage

        context = super().get_context(request, *args, **kwargs)
        pages = BulletinPage.objects.live().child_of(self).select_related("center")
        years = [d.year for d in pages.dates("period", "year", order="DESC")]
        centers = list(ServiceCenter.objects.order_by("sort_order", "code").values_list("code", "name"))
        center = request.GET.get("center", "")
        year = request.GET.get("year", "")
        if center == bulletins.ALL:
            pages = pages.filter(center__isnull=True)
        elif center in dict(centers):
            pages = pages.filter(center__code=center)
        else:
            center = ""
        if year.isdigit() and int(year) in years:
            pages = pages.filter(period__year=int(year))
        else:
            year = ""
        pages = pages.order_by("-period", "center__sort_order", "center__code")
        page_obj = Paginator(pages, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
        query = "&".join(f"{key}={value}" for key, value in (("center", center), ("year", year)) if value)
        context.update(
            {
                "bulletins": page_obj.object_list,
                "page_obj": page_obj,
                "query_without_page": f"{query}&" if query else "",
                "centers": [(bulletins.ALL, bulletins.city_name()), *centers],
                "years": years,
                "selected_center": center,
                "selected_year": str(year),
            }
        )
        return context


class BulletinPageMixin:
    """One bulletin: the frozen figures, charts, tables, definitions, downloads and citation."""

    template = "disclosures/bulletin_page.html"
    parent_page_types = ["disclosures.BulletinIndexPage"]
    subpage_types = []
    content_panels = [
        *Page.content_panels,
        FieldPanel("center", read_only=True),
        FieldPanel("period", read_only=True),
        FieldPanel("narrative"),
        HelpPanel(
            content=_(
                "计数和指标在生成通报时冻结，不能在此修改；如需更正数据，请修正办件后重新运行"
                "“build_bulletin”，系统会为本页生成新的修订版本。"
            )
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("narrative"),
        index.RelatedFields("center", [index.SearchField("name")]),
        index.FilterField("period"),
        index.FilterField("center"),
    ]

    @property
    def center_code(self):
        return self.center.code if self.center_id else "all"

    def interface_title(self):
        """The title in the interface language: the stored title is the Chinese one the build
        wrote; an English page says “临江市政务服务中心 operation bulletin, November 2026”
        (the center's name is content and stays Chinese)."""
        if (translation.get_language() or "zh-hans").startswith("zh"):
            return self.title
        return bulletin_title(self.center.name if self.center_id else city_name(), self.period)

    def data_urls(self):
        from . import bulletins

        return bulletins.data_urls(self.center_code, self.period)

    def get_context(self, request, *args, **kwargs):
        from . import bulletins

        context = super().get_context(request, *args, **kwargs)
        revision_id = self.live_revision_id if self.live else self.latest_revision_id
        from . import corrections

        b = bulletins.page_presentation(
            self, revision_id=revision_id, sort=request.GET.get("sort", ""), order=request.GET.get("order", "")
        )
        context["b"] = b
        context["downloads"] = self.data_urls()
        context["versions"] = corrections.versions(b["data"], self.center_code, self.period)
        context["series_url"] = f"/data/series/?center={self.center_code}&metric=on_time_rate"
        context["published_at"] = self.first_published_at
        context["updated_at"] = self.last_published_at
        return context
