"""``{% authoritative_note resource %}``: on a catalog resource's page, the data elements the
resource is the authoritative source of (一数一源) and the ones whose copies it holds."""

from __future__ import annotations

from django import template

from smartgov.accounts.scope import has_perm
from smartgov.catalog import selectors
from smartgov.catalog.permissions import Perm

register = template.Library()


@register.inclusion_tag("portal/sources/_catalog_note.html", takes_context=True)
def authoritative_note(context, resource):
    user = context.get("user")
    found = selectors.elements_of_resource(resource)
    return {
        "authoritative": found["authoritative"],
        "held": found["held"],
        "linked": has_perm(user, Perm.VIEW_ELEMENTS) or has_perm(user, Perm.MANAGE_ELEMENTS),
    }
