"""Life-event bundles (一件事一次办): one merged checklist, the combined time limit, the departments."""

import re

_NOISE = re.compile(r"[\s（）()《》【】\[\]“”\"'·、，,。.]")


def material_key(name):
    """Names that differ only in spacing, brackets or punctuation are the same material."""
    return _NOISE.sub("", name or "").lower()


def bundle_summary(items, parallel=True):
    merged = {}
    for item in items:
        for material in item.materials.all():
            key = material_key(material.name)
            if not key:
                continue
            entry = merged.get(key)
            if entry is None:
                entry = merged[key] = {
                    "name": material.name,
                    "originals": material.originals,
                    "copies": material.copies,
                    "requirement": material.requirement,
                    "requirement_label": material.get_requirement_display(),
                    # A marker holds for the merged material only when every item grants it.
                    "notify_commit": material.notify_commit,
                    "e_license": material.e_license,
                    "items": [],
                }
            else:
                entry["originals"] = max(entry["originals"], material.originals)
                entry["copies"] = max(entry["copies"], material.copies)
                if material.requirement == "required" and entry["requirement"] != "required":
                    entry["requirement"] = "required"
                    entry["requirement_label"] = material.get_requirement_display()
                entry["notify_commit"] = entry["notify_commit"] and material.notify_commit
                entry["e_license"] = entry["e_license"] and material.e_license
            if item.title not in entry["items"]:
                entry["items"].append(item.title)
    for entry in merged.values():
        entry["deferrable"] = entry["requirement"] == "deferrable"
    days = [item.promised_days for item in items if item.promised_days is not None]
    combined_days = (max(days) if parallel else sum(days)) if days else None
    departments = []
    for item in items:
        if item.department.name not in departments:
            departments.append(item.department.name)
    return {
        "items": items,
        "materials": list(merged.values()),
        "material_count_before_merge": sum(len(item.materials.all()) for item in items),
        "combined_days": combined_days,
        "parallel": parallel,
        "departments": departments,
    }
