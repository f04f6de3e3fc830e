"""The example files under docs/examples/ import cleanly (and docs/catalog-format.md names every column)."""

from pathlib import Path

import pytest

from guides.catalog_format import COLUMNS, NESTED
from guides.imports import import_catalog
from guides.models import GuidePage

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("catalog.csv", ["EX-GAJ-001", "EX-MZ-001"]),
        ("catalog.xlsx", ["EX-GAJ-101", "EX-MZ-101"]),
        ("catalog.json", ["EX-SCJG-001"]),
    ],
)
def test_example_imports_cleanly(name, codes):
    result = import_catalog(EXAMPLES / name, filename=name)
    assert result.ok, [str(p) for p in result.problems]
    assert result.created == len(codes)
    for code in codes:
        page = GuidePage.objects.get(center__code="city", item_code=code)
        assert page.live and page.materials.exists() and page.legal_basis.exists()
        assert page.completeness["present"] >= 7


def test_format_document_lists_every_column_and_nested_field():
    text = (Path(__file__).resolve().parents[2] / "docs" / "catalog-format.md").read_text(encoding="utf-8")
    for name, chinese, _others in COLUMNS:
        assert f"`{name}`" in text and chinese in text
    for fields in NESTED.values():
        for key, chinese, _kind, _default in fields:
            assert f"`{key}`" in text and chinese in text
