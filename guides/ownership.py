"""An item's center and department come from its place in the catalog tree.

The tree is the permission boundary (`/guides/<center>/<department>/<item>/`, portal/roles.py),
so the item's `center` and `department` fields, which the API, filters and case matching use,
must never say otherwise: an editor could otherwise publish an item into another center's API
while its page stays in their own folder.

- `GuidePage.save()` (every save, publish and revision publish) takes them from the parent
  folder; the bulk writer places each item in the folder of the department it sets;
- the item's edit form shows them read-only, filled from the folder;
- after a move (Wagtail's *移动*), the moved items are updated to their new folder.
"""

from django.dispatch import receiver
from wagtail.signals import post_page_move


def folder_owner(page):
    """(center id, department id or None) of the folder the page is in, or None."""
    from .models import GuideFolderPage

    parent = page.get_parent() if (page.pk or page.path) and page.depth else None
    if parent is None:
        return None
    return GuideFolderPage.objects.filter(pk=parent.pk).values_list("center_id", "department_id").first()


def apply_folder_owner(page):
    owner = folder_owner(page)
    if owner is None:
        return
    center_id, department_id = owner
    page.center_id = center_id
    if department_id is not None:
        page.department_id = department_id


@receiver(post_page_move)
def follow_move(sender, instance, parent_page_before, parent_page_after, **kwargs):
    from .models import GuideFolderPage, GuidePage

    folder = GuideFolderPage.objects.filter(pk=parent_page_after.pk).first()
    if folder is None:
        return
    moved = GuidePage.objects.filter(path__startswith=instance.path)
    moved.exclude(center_id=folder.center_id).update(center_id=folder.center_id)
    if folder.department_id is not None:
        moved.filter(depth=instance.depth).exclude(department_id=folder.department_id).update(
            department_id=folder.department_id
        )


def unique_item_code(page):
    """A new page (a copy, typically) never takes an item code its center already uses: the copy
    of `110-A` becomes `110-A-副本` (then `-副本2`, …), which the editor then corrects. Two
    items with one code would make the API, case matching and publishing ambiguous."""
    from .models import GuidePage

    code = page.item_code
    if page.pk is not None or not code or not page.center_id:
        return code
    taken = set(
        GuidePage.objects.filter(center_id=page.center_id, item_code__startswith=code).values_list(
            "item_code", flat=True
        )
    )
    if code not in taken:
        return code
    stem = code[:56]
    number = 1
    while True:
        candidate = f"{stem}-副本" if number == 1 else f"{stem}-副本{number}"
        if candidate not in taken:
            return candidate
        number += 1
