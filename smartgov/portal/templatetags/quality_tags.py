"""The quality score badge of a resource in the catalog's pages.

``{% quality_score resource as q %}`` gives {"score", "at", "badge"} (or None when unchecked).
On a page of search results the scores of the whole page are read with one query, kept on the
request for the rows that follow.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from smartgov.accounts.scope import restrict
from smartgov.catalog.models import Resource
from smartgov.datastore.permissions import Perm
from smartgov.datastore.quality_selectors import latest_scores
from smartgov.portal.views.quality import score_badge

register = template.Library()


@register.simple_tag(takes_context=True)
def quality_score(context, resource):
    request = context.get("request")
    cache = getattr(request, "_sg_quality_scores", None) if request is not None else None
    if cache is None or resource.pk not in cache:
        page = context.get("page")
        ids = {resource.pk}
        if page is not None:
            ids |= {getattr(r, "pk", None) for r in page.object_list} - {None}
        found = latest_scores(ids)
        cache = {**(cache or {}), **{pk: found.get(pk) for pk in ids}}
        if request is not None:
            request._sg_quality_scores = cache
    entry = cache.get(resource.pk)
    if entry is None:
        return None
    return {**entry, "badge": score_badge(entry["score"])}


@register.simple_tag(takes_context=True)
def quality_details_url(context, resource) -> str:
    """The resource's quality page, when the viewer may read it ("" otherwise)."""
    user = getattr(context.get("request"), "user", None)
    if (
        user is None
        or not restrict(Resource.objects.filter(pk=resource.pk), user, Perm.VIEW_QUALITY).exists()
    ):
        return ""
    return reverse("portal:quality_resource", args=[resource.pk])
