"""Editors' synonyms and weekly search analytics (no personal data)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

SEPARATORS = re.compile(r"[=,，、;；\s]+")


class SynonymGroup(models.Model):
    """Words that mean the same to a visitor (身份证 = 居民身份证); applied when searching."""

    ORIGIN_EDITOR = "editor"
    ORIGIN_LEXICON = "lexicon"
    ORIGIN_CHOICES = [(ORIGIN_EDITOR, _("编辑添加")), (ORIGIN_LEXICON, _("默认词库"))]

    terms = models.CharField(
        _("同义词"),
        max_length=500,
        help_text=_("用等号、逗号或空格分隔，例如：身份证 = 居民身份证 = 二代证"),
    )
    one_way = models.BooleanField(
        _("单向（日常用语 → 规范用语）"),
        default=False,
        help_text=_(
            "勾选后只有第一个词会扩展为后面的词，例如“网吧 = 互联网上网服务营业场所”：搜“网吧”也找规范名称，搜规范名称不会扩展到“网吧”。"
        ),
    )
    domain = models.CharField(_("领域"), max_length=20, blank=True)
    origin = models.CharField(_("来源"), max_length=10, choices=ORIGIN_CHOICES, default=ORIGIN_EDITOR)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # {word: "pin yin"} of the group's Chinese words, filled on save: a Latin-letter query (dibao)
    # finds its phrase (低保) without computing pinyin in the web worker (search.analysis).
    pinyin = models.JSONField(_("拼音"), default=dict, blank=True, editable=False)

    panels = [FieldPanel("terms"), FieldPanel("one_way"), FieldPanel("domain"), FieldPanel("note")]

    class Meta:
        verbose_name = _("搜索同义词")
        verbose_name_plural = _("搜索同义词")
        ordering = ["terms"]

    def __str__(self):
        return " = ".join(self.term_list())

    def save(self, *args, **kwargs):
        from .analysis import sounds_of

        self.pinyin = sounds_of(self.term_list())
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "terms" in update_fields:
            kwargs["update_fields"] = {*update_fields, "pinyin"}
        super().save(*args, **kwargs)

    def term_list(self):
        seen = []
        for term in SEPARATORS.split(self.terms or ""):
            term = term.strip().lower()
            if term and term not in seen:
                seen.append(term)
        return seen

    def clean(self):
        terms = self.term_list()
        if len(terms) < 2:
            raise ValidationError({"terms": _("一组同义词至少要有两个词，用等号、逗号或空格分隔。")})
        if any(len(term) > 50 for term in terms):
            raise ValidationError({"terms": _("每个词不能超过 50 个字。")})
        self.terms = " = ".join(terms)


register_snippet(SynonymGroup)


class LexiconRelease(models.Model):
    """A version of the default lexicon (search/data/lexicon.txt) loaded into this site, so that
    loading again adds only what a newer version brings and never re-adds what editors removed."""

    version = models.CharField(_("版本"), max_length=64, unique=True)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)
    added = models.PositiveIntegerField(_("新增词条"), default=0)

    class Meta:
        verbose_name = _("默认词库版本")
        verbose_name_plural = _("默认词库版本")

    def __str__(self):
        return self.version


def week_start(day=None):
    day = day or timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


def normalise_for_stats(query):
    return " ".join(str(query or "").split()).lower()[:100]


class QueryStat(models.Model):
    """How often a query was searched in a week and how often it found nothing.

    Aggregated counts only: no IP address, user, session or time of day is stored.
    """

    week = models.DateField(_("周（周一）"), db_index=True)
    query = models.CharField(_("搜索词"), max_length=100)
    searches = models.PositiveIntegerField(_("搜索次数"), default=0)
    no_results = models.PositiveIntegerField(_("无结果次数"), default=0)
    last_total = models.PositiveIntegerField(_("最近结果数"), default=0)

    class Meta:
        verbose_name = _("搜索统计")
        verbose_name_plural = _("搜索统计")
        constraints = [models.UniqueConstraint(fields=["week", "query"], name="search_querystat_week_query")]
        indexes = [models.Index(fields=["week", "-searches"])]

    def __str__(self):
        return f"{self.week} {self.query} ×{self.searches}"

    @classmethod
    def record(cls, query, total, day=None):
        """Count one search; safe under concurrency (atomic increments, create-or-update)."""
        query = normalise_for_stats(query)
        if not query:
            return
        week = week_start(day)
        zero = 1 if total == 0 else 0
        updates = {"searches": F("searches") + 1, "no_results": F("no_results") + zero, "last_total": total}
        if cls.objects.filter(week=week, query=query).update(**updates):
            return
        try:
            with transaction.atomic():
                cls.objects.create(week=week, query=query, searches=1, no_results=zero, last_total=total)
        except IntegrityError:
            cls.objects.filter(week=week, query=query).update(**updates)
