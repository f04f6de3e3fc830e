"""An item's steps, legal basis and materials as plain dicts: the one writer both the JSON API
(guides/api.py, docs: "required", documents as URLs) and the catalog format (guides/catalog_format.py,
docs/catalog-format.md: "requirement", documents as ids) use, each keeping its documented shape.
"""


def step_dict(step):
    return {"name": step.name, "description": step.description, "who": step.who, "time_limit": step.time_limit}


def legal_basis_dict(basis):
    return {"title": basis.title, "issuer": basis.issuer, "article": basis.article, "url": basis.url}


def _document_id(material, name):
    return getattr(material, f"{name}_id")


def material_dict(material, *, requirement_key="requirement", document=_document_id):
    """`requirement_key`: the catalog's "requirement" or the API's "required"; `document(material,
    name)` writes the blank form and sample (default: the document's id, as the catalog does)."""
    return {
        "name": material.name,
        "source": material.source,
        "originals": material.originals,
        "copies": material.copies,
        "format": material.format,
        requirement_key: material.requirement,
        "notes": material.notes,
        "blank_form": document(material, "blank_form"),
        "sample": document(material, "sample"),
        "instructions": material.instructions,
        "notify_commit": material.notify_commit,
        "e_license": material.e_license,
    }
