"""Create and update many pages at once while keeping Wagtail's invariants.

Saving pages one by one (add_child + save_revision + publish) costs about 200 ms per item;
catalog imports and the demo seed handle thousands. This module writes the same rows Wagtail
would write, in bulk:

- the page tree: treebeard materialized paths (`path`, `depth`, the parent's `numchild`),
  `url_path`, unique sibling slugs, `locale`, `content_type`, `draft_title`, owner;
- the specific model's table, inline children (with their ids written into the revision, as
  Wagtail does) and parental many-to-many rows;
- one Revision per page with `content = page.serializable_data()`, `latest_revision`,
  `live_revision`, `first/last_published_at`, `has_unpublished_changes`;
- optional audit-log entries (wagtail.create / wagtail.edit / wagtail.publish) so the admin
  history shows the change, the `page_published` signal for published pages (search sync and
  the page cache listen to it), the Wagtail search index and the reference index.

A page written here can be edited, published, moved and reverted through Wagtail's normal API
(tests/guides/test_import_bulk.py proves it, and that `manage.py fixtree` finds no problem).
Pages in a state the fast path does not model (locked, in a workflow, scheduled) are handed to
the normal API by the caller.
"""

import uuid
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F
from django.utils import timezone
from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations
from wagtail.models import COMMENTS_RELATION_NAME, Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.signals import page_published, published

from portal import pagecache

from .wagtail_internals import content_path_hash, extract_references, path_position, tree_path

BATCH = 500


def _prepare(page):
    """What the specific model's save() would compute (GuidePage: pinyin browse keys)."""
    prepare = getattr(page, "prepare_for_save", None)
    if callable(prepare):
        prepare()
        return
    if hasattr(page, "pinyin_initial"):
        from .pinyin import pinyin_keys

        page.pinyin_initial, page.pinyin = pinyin_keys(page.title)


def _child_relations(model):
    return [rel for rel in get_all_child_relations(model) if rel.get_accessor_name() != COMMENTS_RELATION_NAME]


def _insert_specific(model, pages):
    """INSERT the specific model's own table rows (bulk_create refuses multi-table models)."""
    fields = list(model._meta.local_concrete_fields)
    size = connection.ops.bulk_batch_size(fields, pages) or BATCH
    for start in range(0, len(pages), min(size, BATCH)):
        model._base_manager._insert(pages[start : start + min(size, BATCH)], fields=fields)


def update_rows(model, objects, field_names):
    """UPDATE the given fields of saved objects, one short statement per row and table, sent with
    executemany (Django's bulk_update builds one CASE WHEN per field and row, which takes
    minutes for thousands of pages). Fields of a multi-table parent (Page) go to its table."""
    if not objects:
        return
    tables = defaultdict(list)  # concrete model -> [field]
    for name in dict.fromkeys(field_names):
        field = model._meta.get_field(name)
        if field.primary_key or not field.concrete:
            continue
        tables[field.model._meta.concrete_model].append(field)
    with connection.cursor() as cursor:
        for owner, fields in tables.items():
            quote = connection.ops.quote_name
            sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - quoted names from model metadata
                quote(owner._meta.db_table),
                ", ".join(f"{quote(field.column)} = %s" for field in fields),
                quote(owner._meta.pk.column),
            )
            rows = [
                [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] + [obj.pk]
                for obj in objects
            ]
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])


def _write_children(model, pages, old_children=None):
    """Write inline children and m2m rows of `pages` (children assigned in memory).

    With `old_children` ({page pk: {relation: [old child]}}), existing child rows are reused in
    order (as an editor editing the inline forms in place would), extra ones deleted.
    """
    for rel in _child_relations(model):
        name = rel.get_accessor_name()
        fk = rel.field.attname
        child_model = rel.related_model
        to_create, to_update, to_delete = [], [], []
        for page in pages:
            new = list(getattr(page, name).all())
            old = (old_children or {}).get(page.pk, {}).get(name, [])
            for index, child in enumerate(new):
                setattr(child, fk, page.pk)
                if index < len(old):
                    child.pk = old[index].pk
                    child._state.adding = False
                    to_update.append(child)
                else:
                    child.pk = None
                    to_create.append(child)
            to_delete.extend(child.pk for child in old[len(new) :])
        if to_delete:
            for start in range(0, len(to_delete), BATCH):
                child_model.objects.filter(pk__in=to_delete[start : start + BATCH]).delete()
        if to_update:
            fields = [f.name for f in child_model._meta.concrete_fields if not f.primary_key]
            update_rows(child_model, to_update, fields)
        if to_create:
            child_model.objects.bulk_create(to_create, batch_size=BATCH)
    for field in get_all_child_m2m_relations(model):
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        if old_children is not None:
            ids = [page.pk for page in pages]
            for start in range(0, len(ids), BATCH):
                through.objects.filter(**{f"{source}_id__in": ids[start : start + BATCH]}).delete()
        rows = [
            through(**{f"{source}_id": page.pk, f"{target}_id": related.pk})
            for page in pages
            for related in getattr(page, field.name).all()
        ]
        through.objects.bulk_create(rows, batch_size=BATCH)


def _revisions(pages, *, user, now):
    base_ct = ContentType.objects.get_for_model(Page)
    revisions = []
    for page in pages:
        revisions.append(
            Revision(
                content_type_id=page.content_type_id,
                base_content_type=base_ct,
                object_id=str(page.pk),
                created_at=now,
                user=user,
                content=page.serializable_data(),
                object_str=str(page),
            )
        )
    Revision.objects.bulk_create(revisions, batch_size=BATCH)
    return revisions


def _log(entries):
    if entries:
        PageLogEntry.objects.bulk_create(entries, batch_size=BATCH)


def _log_entry(page, action, *, user, now, revision=None, group=None, data=None):
    return PageLogEntry(
        content_type_id=page.content_type_id,
        label=page.get_admin_display_title(),
        action=action,
        data=data or {},
        timestamp=now,
        uuid=group,
        user=user,
        page_id=page.pk,
        revision=revision,
        content_changed=True,
    )


def _after_write(model, pages, revisions, *, publish, send_signals, index=True, replace=False):
    if publish:  # with or without page signals, the public pages change (imports, demo data)
        pagecache.bump()
    if index:
        _update_indexes(model, pages, replace=replace)
    if publish and send_signals:
        for page, revision in zip(pages, revisions, strict=True):
            page_published.send(sender=model, instance=page, revision=revision)
            published.send(sender=model, instance=page, revision=revision)


def _update_indexes(model, pages, *, replace=False):
    """Wagtail's own search index (admin search) and reference index, as post_save would."""
    from wagtail.search.backends import get_search_backends

    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(model, pages)
    _update_reference_index(model, pages, replace=replace)


def _update_reference_index(model, pages, *, replace=False):
    """ReferenceIndex rows for the pages, in one pass (create_or_update_for_object does one page)."""
    if not ReferenceIndex.is_indexed(model):
        return
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    base_content_type = ContentType.objects.get_for_model(Page)
    if replace:
        ids = [page.pk for page in pages]
        for start in range(0, len(ids), BATCH):
            ReferenceIndex.objects.filter(
                base_content_type=base_content_type, object_id__in=ids[start : start + BATCH]
            ).delete()
    rows = []
    for page in pages:
        for to_content_type_id, to_object_id, model_path, content_path in set(extract_references(page)):
            rows.append(
                ReferenceIndex(
                    content_type=content_type,
                    base_content_type=base_content_type,
                    object_id=page.pk,
                    to_content_type_id=to_content_type_id,
                    to_object_id=to_object_id,
                    model_path=model_path,
                    content_path=content_path,
                    content_path_hash=content_path_hash(content_path),
                )
            )
    ReferenceIndex.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


def create_pages(items, *, user=None, publish=True, log=True, send_signals=True, index=True):
    """Create pages: items = [(parent page, unsaved page with children assigned)], one model.

    Returns the pages, saved, with `latest_revision` (and `live_revision` when published).
    """
    if not items:
        return []
    now = timezone.now()
    model = type(items[0][1])
    content_type = ContentType.objects.get_for_model(model)
    groups = defaultdict(list)
    for parent, page in items:
        groups[parent.pk].append(page)
    pages = []
    for parent_pk, children in groups.items():
        parent = Page.objects.get(pk=parent_pk)  # fresh path, numchild and url_path
        siblings = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        last = siblings.order_by("-path").values_list("path", flat=True).first()
        position = path_position(last[-Page.steplen :]) if last else 0
        slugs = set(siblings.values_list("slug", flat=True))
        for page in children:
            position += 1
            page.path = tree_path(parent.path, parent.depth + 1, position)
            page.depth = parent.depth + 1
            page.numchild = 0
            base, suffix = page.slug, 1
            while page.slug in slugs:
                suffix += 1
                page.slug = f"{base}-{suffix}"
            slugs.add(page.slug)
            page.url_path = f"{parent.url_path}{page.slug}/"
            page.locale_id = parent.locale_id
            page.content_type = content_type
            page.draft_title = page.title
            page.live = publish
            page.has_unpublished_changes = not publish
            page.first_published_at = page.last_published_at = now if publish else None
            page.latest_revision_created_at = now
            page.owner = user
            _prepare(page)
            setattr(page, COMMENTS_RELATION_NAME, [])
            pages.append(page)
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(children))
    base_fields = list(Page._meta.concrete_fields)
    bases = [Page(**{f.attname: getattr(page, f.attname) for f in base_fields if not f.primary_key}) for page in pages]
    Page.objects.bulk_create(bases, batch_size=BATCH)
    for page, base in zip(pages, bases, strict=True):
        page.id = page.page_ptr_id = base.id
        page._state.adding = False
        page._state.db = base._state.db
    _insert_specific(model, pages)
    _write_children(model, pages)
    revisions = _revisions(pages, user=user, now=now)
    for page, base, revision in zip(pages, bases, revisions, strict=True):
        page.latest_revision = base.latest_revision = revision
        if publish:
            page.live_revision = base.live_revision = revision
    update_rows(Page, bases, ["latest_revision", "live_revision"])
    if log:
        entries = []
        for page, revision in zip(pages, revisions, strict=True):
            group = uuid.uuid4()
            entries.append(_log_entry(page, "wagtail.create", user=user, now=now, revision=revision, group=group))
            if publish:
                entries.append(_log_entry(page, "wagtail.publish", user=user, now=now, revision=revision, group=group))
        _log(entries)
    _after_write(model, pages, revisions, publish=publish, send_signals=send_signals, index=index)
    return pages


PAGE_CONTENT_FIELDS = ["title", "draft_title", "seo_title", "search_description"]


def update_pages(changes, *, user=None, publish=True, log=True, send_signals=True, index=True):
    """Save new content of existing pages as a new revision each (published unless not `publish`).

    changes = [(page, old_children)]: `page` is the specific page loaded from the database with
    its new values and children assigned in memory; `old_children` is {relation: [children as
    they were in the database]}. Without `publish`, only a draft revision is written and the
    live content stays as it is.
    """
    if not changes:
        return []
    now = timezone.now()
    pages = [page for page, _old in changes]
    model = type(pages[0])
    old_children = {page.pk: old for page, old in changes}
    for page in pages:
        # Reuse existing child ids in order, so the revision refers to the rows it will update.
        for rel in _child_relations(model):
            name = rel.get_accessor_name()
            old = old_children[page.pk].get(name, [])
            for index_, child in enumerate(getattr(page, name).all()):
                child.pk = old[index_].pk if index_ < len(old) else None
        page.draft_title = page.title
        page.latest_revision_created_at = now
        _prepare(page)
    if publish:
        for page in pages:
            page.live = True
            page.expired = False
            page.has_unpublished_changes = False
            page.last_published_at = now
            page.first_published_at = page.first_published_at or now
        _write_children(model, pages, old_children)
    revisions = _revisions(pages, user=user, now=now)
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = revision
        if publish:
            page.live_revision = revision
        else:
            page.has_unpublished_changes = True
    state_fields = ["draft_title", "latest_revision", "latest_revision_created_at", "has_unpublished_changes"]
    if publish:
        own = [
            f.name
            for f in model._meta.local_concrete_fields
            if not f.primary_key and not f.one_to_one and f.name != "page_ptr"
        ]
        fields = [*own, *PAGE_CONTENT_FIELDS, *state_fields]
        fields += ["live", "expired", "live_revision", "last_published_at", "first_published_at"]
        update_rows(model, pages, fields)
    else:
        update_rows(model, pages, state_fields)
    if log:
        entries = []
        for page, revision in zip(pages, revisions, strict=True):
            group = uuid.uuid4()
            entries.append(_log_entry(page, "wagtail.edit", user=user, now=now, revision=revision, group=group))
            if publish:
                entries.append(_log_entry(page, "wagtail.publish", user=user, now=now, revision=revision, group=group))
        _log(entries)
    _after_write(
        model, pages, revisions, publish=publish, send_signals=send_signals, index=index and publish, replace=True
    )
    return pages
