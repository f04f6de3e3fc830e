"""The OpenAPI 3.1 description of the public APIs (/api/schema/) and the readable API page
(/api/docs/), both from drf-spectacular's schema of the DRF views.

The page is rendered on the server from the same schema (no Swagger UI: it would need inline
scripts and styles that the strict CSP forbids): every endpoint with its parameters and
responses, and every response shape field by field.
"""

from functools import lru_cache

from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView
from rest_framework.negotiation import DefaultContentNegotiation

METHODS = ("get", "post", "put", "patch", "delete")


class SchemaView(SpectacularAPIView):
    """/api/schema/: JSON by default; YAML with `Accept: application/vnd.oai.openapi`."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]
    content_negotiation_class = DefaultContentNegotiation
    authentication_classes = []
    permission_classes = []


@lru_cache(maxsize=4)
def public_schema(language):
    """The schema as a dict (generated once per process and language; it only changes on deploy)."""
    with translation.override(language):
        return SchemaGenerator().get_schema(request=None, public=True)


def _ref_name(ref):
    return ref.rsplit("/", 1)[-1]


def type_label(schema):
    """A short readable type: "string", "integer | null", "ItemSummary[]", "object"."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    for combiner in ("oneOf", "anyOf", "allOf"):
        if combiner in schema:
            return " | ".join(type_label(part) for part in schema[combiner])
    kinds = schema.get("type", "object")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    labels = []
    for kind in kinds:
        if kind == "array":
            labels.append(type_label(schema.get("items", {})) + "[]")
        elif kind == "string" and schema.get("format"):
            labels.append(f"string ({schema['format']})")
        else:
            labels.append(kind)
    if schema.get("enum"):
        labels.append(" / ".join(str(value) for value in schema["enum"] if value is not None))
    return " | ".join(labels)


def _fields(schema):
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": type_label(field),
            "required": name in required,
            "description": field.get("description", ""),
            "ref": _ref_name(field.get("$ref") or field.get("items", {}).get("$ref", "")) or "",
        }
        for name, field in schema.get("properties", {}).items()
    ]


def _responses(operation):
    rows = []
    for status, response in operation.get("responses", {}).items():
        content = response.get("content", {})
        media_type, body = next(iter(content.items()), ("", {}))
        schema = body.get("schema", {})
        rows.append(
            {
                "status": status,
                "media_type": media_type,
                "type": type_label(schema) if schema else "",
                "ref": _ref_name(schema.get("$ref", "")),
                "description": response.get("description", ""),
            }
        )
    return rows


def endpoints(schema):
    """The operations in path order, each with its parameters and responses, for the page."""
    result = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            request_schema = next(iter(body.values()), {}).get("schema", {})
            result.append(
                {
                    "id": operation.get("operationId", ""),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tags": operation.get("tags", []),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "in": parameter["in"],
                            "required": parameter.get("required", False),
                            "type": type_label(parameter.get("schema", {})),
                            "description": parameter.get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "request": _ref_name(request_schema.get("$ref", "")),
                    "responses": _responses(operation),
                }
            )
    return result


def components(schema):
    return [
        {"name": name, "description": component.get("description", ""), "fields": _fields(component)}
        for name, component in sorted(schema.get("components", {}).get("schemas", {}).items())
    ]


@require_GET
def api_page(request):
    """/api/docs/: the readable API reference, in the visitor's language (page chrome)."""
    schema = public_schema(translation.get_language() or "zh-hans")
    context = {
        "info": schema.get("info", {}),
        "endpoints": endpoints(schema),
        "components": components(schema),
        "breadcrumbs": [{"title": _("开放接口"), "url": ""}],
    }
    return render(request, "portal/api_docs.html", context)
