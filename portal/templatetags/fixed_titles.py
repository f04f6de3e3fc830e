"""``{{ page.title|fixed_title }}``: a fixed index page's title in the interface language
(portal/fixed_titles.py)."""

from django import template

from ..fixed_titles import display_title

register = template.Library()


@register.filter
def fixed_title(title):
    return display_title(title)
