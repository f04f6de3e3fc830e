"""One writer of an item's materials and legal basis, two documented shapes (API and catalog)."""

from types import SimpleNamespace

from guides.serialization import legal_basis_dict, material_dict, step_dict

MATERIAL = SimpleNamespace(
    name="营业执照",
    source="申请人自备",
    originals=1,
    copies=2,
    format="paper",
    requirement="deferrable",
    notes="",
    blank_form=SimpleNamespace(pk=7),
    blank_form_id=7,
    sample=None,
    sample_id=None,
    instructions="加盖公章",
    notify_commit=False,
    e_license=True,
)


def test_catalog_shape_keeps_requirement_and_document_ids():
    data = material_dict(MATERIAL)
    assert list(data) == [
        "name", "source", "originals", "copies", "format", "requirement", "notes", "blank_form", "sample",
        "instructions", "notify_commit", "e_license",
    ]  # fmt: skip
    assert (data["instructions"], data["notify_commit"], data["e_license"]) == ("加盖公章", False, True)
    assert data["requirement"] == "deferrable"
    assert (data["blank_form"], data["sample"]) == (7, None)


def test_api_shape_keeps_required_and_its_document_writer():
    data = material_dict(
        MATERIAL,
        requirement_key="required",
        document=lambda m, name: {"id": getattr(m, name).pk} if getattr(m, name) else None,
    )
    assert "requirement" not in data
    assert data["required"] == "deferrable"
    assert data["blank_form"] == {"id": 7} and data["sample"] is None
    # Everything else is the same in both shapes.
    catalog = material_dict(MATERIAL)
    for key in ("name", "source", "originals", "copies", "format", "notes"):
        assert data[key] == catalog[key]


def test_legal_basis_and_steps():
    basis = SimpleNamespace(title="行政许可法", issuer="全国人大常委会", article="第十二条", url="")
    assert legal_basis_dict(basis) == {
        "title": "行政许可法",
        "issuer": "全国人大常委会",
        "article": "第十二条",
        "url": "",
    }
    step = SimpleNamespace(name="受理", description="窗口受理", who="窗口", time_limit="即时")
    assert step_dict(step) == {"name": "受理", "description": "窗口受理", "who": "窗口", "time_limit": "即时"}
