"""Signal handlers: page publish/unpublish/move/delete, fee item changes and renamed centers or
departments (their names are in the documents and facets) refresh the index."""

from wagtail.signals import page_published, page_unpublished, post_page_move

from .documents import model_key
from .indexing import schedule

INDEXED_LABELS = {"guides.guidepage", "guides.lifeeventpage", "portal.noticepage", "disclosures.bulletinpage"}


def _indexable(instance):
    return instance._meta.label_lower in INDEXED_LABELS


def page_changed(sender, instance, **kwargs):
    instance = getattr(instance, "specific", instance)
    if _indexable(instance):
        schedule([model_key(instance)])


def page_moved(sender, instance, **kwargs):
    """A move changes the URL of the page and of everything under it."""
    from wagtail.models import Page

    pages = Page.objects.descendant_of(instance, inclusive=True).specific()
    schedule([model_key(page) for page in pages.iterator() if _indexable(page)])


def page_deleted(sender, instance, **kwargs):
    if _indexable(instance):
        schedule([model_key(instance)])


def fee_changed(sender, instance, **kwargs):
    """Every version of the fee: the one in force may have changed."""
    from guides.models import FeeItem

    keys = [model_key(instance)]
    keys += [
        f"{FeeItem._meta.label_lower}:{pk}"
        for pk in FeeItem.objects.filter(department_id=instance.department_id, code=instance.code).values_list(
            "pk", flat=True
        )
    ]
    schedule(keys)


def _keys(queryset):
    label = queryset.model._meta.label_lower
    return [f"{label}:{pk}" for pk in queryset.values_list("pk", flat=True).iterator()]


def department_changed(sender, instance, **kwargs):
    """The department's items and fee items show its name (results, the department facet)."""
    from guides.models import FeeItem, GuidePage

    schedule(_keys(GuidePage.objects.filter(department=instance)) + _keys(FeeItem.objects.filter(department=instance)))


def center_changed(sender, instance, **kwargs):
    """The center's items, fee items, notices and bulletins show its name."""
    from disclosures.models import BulletinPage
    from guides.models import FeeItem, GuidePage
    from portal.models import NoticePage

    schedule(
        _keys(GuidePage.objects.filter(center=instance))
        + _keys(FeeItem.objects.filter(department__center=instance))
        + _keys(NoticePage.objects.filter(center=instance))
        + _keys(BulletinPage.objects.filter(center=instance))
    )


def connect():
    from django.db.models.signals import post_delete, post_save

    from guides.models import FeeItem
    from portal.models import Department, ServiceCenter

    from . import synonyms
    from .models import SynonymGroup

    page_published.connect(page_changed, dispatch_uid="search-page-published")
    page_unpublished.connect(page_changed, dispatch_uid="search-page-unpublished")
    post_page_move.connect(page_moved, dispatch_uid="search-page-moved")
    post_delete.connect(page_deleted, dispatch_uid="search-page-deleted")
    post_save.connect(fee_changed, sender=FeeItem, dispatch_uid="search-fee-saved")
    post_delete.connect(fee_changed, sender=FeeItem, dispatch_uid="search-fee-deleted")
    post_save.connect(department_changed, sender=Department, dispatch_uid="search-department-saved")
    post_save.connect(center_changed, sender=ServiceCenter, dispatch_uid="search-center-saved")
    post_save.connect(synonyms.invalidate, sender=SynonymGroup, dispatch_uid="search-synonyms-saved")
    post_delete.connect(synonyms.invalidate, sender=SynonymGroup, dispatch_uid="search-synonyms-deleted")
