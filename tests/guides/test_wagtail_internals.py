"""The Wagtail internals guides/wagtail_internals.py wraps: each still there and still doing what
the catalog's fast paths rely on. A failure here after a Wagtail upgrade names the one to redo."""

import inspect
import uuid

import pytest
from django.test import RequestFactory
from wagtail.models import Page, ReferenceIndex

from guides import wagtail_internals
from guides.models import GuidePage


def test_route_cache_is_what_route_for_request_reads():
    source = inspect.getsource(Page.route_for_request)
    assert wagtail_internals.ROUTE_CACHE_ATTRIBUTE in source, "Wagtail no longer caches routes this way"
    request = RequestFactory().get("/guides/x/")
    assert not wagtail_internals.route_is_cached(request)
    route = (object(), [], {})
    wagtail_internals.cache_route(request, route)
    assert wagtail_internals.route_is_cached(request)
    assert Page.route_for_request(request, "/guides/x/") is route


def test_content_path_hash_is_wagtails_uuid5():
    value = wagtail_internals.content_path_hash("materials.0.name")
    assert isinstance(value, uuid.UUID)
    assert value == ReferenceIndex._get_content_path_hash("materials.0.name")
    assert value != wagtail_internals.content_path_hash("materials.1.name")


def test_tree_path_steps_round_trip():
    assert Page.steplen == 4
    path = wagtail_internals.tree_path("00010001", 3, 37)
    assert path.startswith("00010001") and len(path) == 12
    assert wagtail_internals.path_position(path[-Page.steplen :]) == 37


@pytest.mark.django_db
def test_extract_references_gives_four_tuples(demo_site):
    page = GuidePage.objects.first()
    references = list(wagtail_internals.extract_references(page))
    for reference in references:
        assert len(reference) == 4
    # The same rows Wagtail's own per-object indexing writes.
    ReferenceIndex.create_or_update_for_object(page)
    stored = set(
        ReferenceIndex.objects.filter(object_id=page.pk, base_content_type__model="page").values_list(
            "to_content_type_id", "to_object_id", "model_path", "content_path"
        )
    )
    assert {(ct, str(pk), model_path, content_path) for ct, pk, model_path, content_path in references} == stored
