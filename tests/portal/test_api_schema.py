"""/api/schema/ (OpenAPI 3.1 from drf-spectacular) validates, and real responses of the public
APIs match it; /api/docs/ lists every endpoint from the same schema under the strict CSP."""

import json

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from disclosures import bulletins

pytestmark = pytest.mark.django_db

PUBLIC_PATHS = {
    "/api/items/",
    "/api/items/{center}/{item_code}/",
    "/api/fees/",
    "/api/series/",
    "/api/series/datapackage.json",
    "/api/search/",
    "/api/suggest/",
    "/api/bulletins/",
    "/api/bulletins/{center}/{period}/",
    "/api/bulletins/{center}/{period}/datapackage.json",
    "/api/cases/",
}


@pytest.fixture(scope="module")
def spec(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200
    return json.loads(response.content)


def response_schema(spec, path, status, method="get"):
    content = spec["paths"][path][method]["responses"][str(status)]["content"]
    return content["application/json"]["schema"]


def assert_matches(spec, path, response, method="get"):
    """The body validates against the schema the spec gives for this path and status, with every
    $ref resolved in the spec's components (additional properties are refused: a field the schema
    does not name is an error, so the schema cannot drift behind the API)."""
    schema = {**response_schema(spec, path, response.status_code, method), "components": _closed(spec["components"])}
    errors = sorted(Draft202012Validator(schema).iter_errors(response.json()), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def _closed(node):
    """Components with additionalProperties: false on every object that lists its properties."""
    if isinstance(node, dict):
        closed = {key: _closed(value) for key, value in node.items()}
        if "properties" in closed and "additionalProperties" not in closed:
            closed["additionalProperties"] = False
        return closed
    if isinstance(node, list):
        return [_closed(value) for value in node]
    return node


def test_schema_validates_as_openapi_3_without_warnings(tmp_path):
    target = tmp_path / "schema.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(target))
    document = json.loads(target.read_text())
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == PUBLIC_PATHS, "only the site's /api/ endpoints, all of them"


def test_schema_is_public_json_with_chinese_descriptions(client, spec):
    response = client.get("/api/schema/", HTTP_ORIGIN="https://example.org")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert spec["paths"]["/api/items/"]["get"]["summary"] == "事项列表（分页、可筛选）"
    assert spec["components"]["schemas"]["ItemSummary"]["properties"]["item_code"]["description"] == "事项编码"
    yaml = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert yaml.status_code == 200 and yaml.content.startswith(b"openapi: 3.1")


def test_items_list_and_detail_match_the_schema(client, spec):
    listing = client.get("/api/items/?page_size=5")
    assert listing.status_code == 200 and len(listing.json()["results"]) == 5
    assert_matches(spec, "/api/items/", listing)
    from guides.models import GuidePage

    item = GuidePage.objects.live().filter(charges=True, fees__isnull=False).order_by("pk").first()
    detail = client.get(f"/api/items/{item.center.code}/{item.item_code}/")
    assert detail.status_code == 200 and detail.json()["fees"] and detail.json()["materials"]
    assert_matches(spec, "/api/items/{center}/{item_code}/", detail)


def test_item_errors_match_the_schema(client, spec):
    bad = client.get("/api/items/?audience=alien")
    assert bad.status_code == 400 and bad.json()["parameter"] == "audience"
    assert_matches(spec, "/api/items/", bad)
    unknown = client.get("/api/items/?colour=red")
    assert unknown.status_code == 400 and unknown.json()["parameters"] == ["colour"]
    assert_matches(spec, "/api/items/", unknown)
    missing = client.get("/api/items/city/NO-SUCH-ITEM/")
    assert missing.status_code == 404
    assert_matches(spec, "/api/items/{center}/{item_code}/", missing)


def test_fee_schedule_matches_the_schema(client, spec):
    response = client.get("/api/fees/")
    assert response.status_code == 200 and response.json()["fees"]
    assert response.json()["fees"][0]["history"] and response.json()["fees"][0]["basis"]
    assert_matches(spec, "/api/fees/", response)
    bad = client.get("/api/fees/?at=yesterday")
    assert bad.status_code == 400
    assert_matches(spec, "/api/fees/", bad)


def test_series_and_its_datapackage_match_the_schema(client, spec):
    last_month = bulletins.format_period(bulletins.previous_period())
    query = f"center=dongcheng&metric=on_time_rate&from={last_month}&to={last_month}"
    response = client.get(f"/api/series/?{query}")
    assert response.status_code == 200 and response.json()["points"]
    assert_matches(spec, "/api/series/", response)
    package = client.get(f"/api/series/datapackage.json?{query}")
    assert package.status_code == 200
    assert_matches(spec, "/api/series/datapackage.json", package)
    bad = client.get("/api/series/?metric=no_such_metric")
    assert bad.status_code == 400
    assert_matches(spec, "/api/series/", bad)


def test_bulletins_match_the_schema(client, spec):
    listing = client.get("/api/bulletins/")
    assert listing.status_code == 200 and listing.json()["results"]
    assert_matches(spec, "/api/bulletins/", listing)
    first = listing.json()["results"][0]
    detail = client.get(f"/api/bulletins/{first['center']}/{first['period']}/")
    assert detail.status_code == 200
    assert_matches(spec, "/api/bulletins/{center}/{period}/", detail)


def test_search_and_suggest_match_the_schema(client, spec):
    response = client.get("/api/search/?q=营业执照")
    assert response.status_code == 200 and response.json()["results"]
    assert_matches(spec, "/api/search/", response)
    flat = client.get("/api/search/?q=营业执照&flat=1&kind=guide")
    assert flat.status_code == 200
    assert_matches(spec, "/api/search/", flat)
    suggest = client.get("/api/suggest/?q=营业")
    assert suggest.status_code == 200
    assert_matches(spec, "/api/suggest/", suggest)


def test_api_page_lists_every_endpoint_without_inline_script_or_style(client, spec):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    for path, operations in spec["paths"].items():
        for method in operations:
            assert f"{method.upper()} {path}" in page, path
    assert 'href="#schema-ItemSummary"' in page and 'id="schema-ItemSummary"' in page
    assert "<script>" not in page and "style=" not in page and "<style" not in page
    assert "script-src" in response["Content-Security-Policy"]
    client.post("/i18n/setlang/", {"language": "en", "next": "/api/docs/"})
    english = client.get("/api/docs/").content.decode()
    assert "Open data API" in english and "Parameters" in english and "GET /api/items/" in english


def test_json_bytes_and_methods_are_as_before(client):
    """The DRF views answer like the former JsonResponse views: UTF-8 with Python's separators,
    JSON whatever Accept says, and an empty 405 with Allow for other methods."""
    response = client.get("/api/suggest/?q=营业", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.content.startswith(b'{"suggestions": [')
    assert "\\u" not in response.content.decode()
    for url in ("/api/items/?page_size=3", "/api/fees/", "/api/bulletins/"):
        body = client.get(url).content
        assert body == json.dumps(json.loads(body), ensure_ascii=False).encode(), url
    for method in (client.post, client.put, client.delete, client.head, client.options):
        refused = method("/api/items/")
        assert refused.status_code == 405 and refused["Allow"] == "GET" and refused.content == b""
    unknown = client.post("/api/bulletins/nowhere/")
    assert unknown.status_code == 404 and "未找到该通报" in unknown.json()["error"]
