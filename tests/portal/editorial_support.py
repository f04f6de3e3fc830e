"""Shared helpers for the editorial tests: roles in the session database, editors, form data."""

import pytest
from django.contrib.auth import get_user_model

PASSWORD = "Editorial-test-pw-1"


@pytest.fixture(scope="session")
def editorial_roles(django_db_setup, django_db_blocker):
    """Groups, page permissions and workflows for the two small-demo centers (idempotent)."""
    from portal.roles import setup_roles

    with django_db_blocker.unblock():
        setup_roles(["city", "dongcheng"])


def make_editor(username, role, center_code=None, department_code=None, **extra):
    from portal.models import Department, ServiceCenter
    from portal.roles import role_group

    center = ServiceCenter.objects.get(code=center_code) if center_code else None
    department = Department.objects.get(center=center, code=department_code) if department_code else None
    group = role_group(role, center, department)
    assert group is not None, f"no group for {role} {center_code} {department_code}"
    user = get_user_model().objects.create_user(
        username=username, email=extra.pop("email", f"{username}@example.org"), password=PASSWORD, **extra
    )
    user.groups.add(group)
    return user


def item_in(center_code, department_code, offset=0):
    from guides.models import GuidePage

    return (
        GuidePage.objects.live()
        .filter(center__code=center_code, department__code=department_code)
        .order_by("pk")[offset : offset + 1]
        .get()
    )


def folder_of(center_code, department_code=None):
    from guides.models import GuideFolderPage

    return GuideFolderPage.objects.get(
        center__code=center_code,
        **({"department__code": department_code} if department_code else {"department__isnull": True}),
    )


def _field_value(bound_field):
    """A bound field's current value as a browser would post it (None: leave the key out)."""
    from django import forms

    field = bound_field.field
    widget = field.widget
    value = bound_field.value()
    if isinstance(widget, forms.CheckboxInput):
        return "on" if value else None
    if isinstance(field, forms.ModelMultipleChoiceField) or isinstance(widget, forms.SelectMultiple):
        return [str(v.pk if hasattr(v, "pk") else v) for v in (value or [])]
    if value is None:
        return ""
    formatted = widget.format_value(value)
    return "" if formatted is None else formatted


def _form_data(form, data):
    for name in form.fields:
        value = _field_value(form[name])
        if value is not None:
            data[form.add_prefix(name)] = value
    for formset in getattr(form, "formsets", {}).values():
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for child in formset.forms:
            _form_data(child, data)
    return data


def page_form_data(page, user, **changes):
    """POST data for a page's admin edit form, as the editor would send it unchanged, plus changes."""
    page = page.specific
    form_class = page.get_edit_handler().get_form_class()
    form = form_class(instance=page, for_user=user, parent_page=page.get_parent())
    data = _form_data(form, {})
    data.update({key: ("" if value is None else value) for key, value in changes.items()})
    return data
