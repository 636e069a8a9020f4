"""Template helpers of the application pages: a material's file input, status badges."""

from __future__ import annotations

from django import template

from smartgov.portal.forms_services import material_field
from smartgov.portal.views.services_common import badge, status_text

register = template.Library()


@register.filter
def get_material_field(form, material_id):
    """The bound file input of one material, or None when the form has none for it."""
    name = material_field(material_id)
    return form[name] if form is not None and name in form.fields else None


@register.filter
def app_badge(status: str) -> str:
    return badge(status)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def app_status(status: str) -> str:
    """An application's status in the pages' words."""
    return status_text(status)
