"""Regions API: the GB/T 2260 tree, its ancestors and descendants."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from smartgov.core.models import Region
from smartgov.core.schemas import RegionRead
from smartgov.core.services import get_region
from smartgov.core.tree import subtree_q

router = Router(tags=["regions"])


class RegionFilter(Schema):
    level: str | None = None
    parent: str | None = None
    within: str | None = None
    q: str | None = None


@router.get("/regions", response=list[RegionRead], summary="List regions")
@paginate(PageNumberPagination, page_size=100)
def list_regions(request: HttpRequest, filters: Query[RegionFilter]):
    """Filter by level, direct parent code, any ancestor code (`within`) or a name fragment."""
    queryset = Region.objects.select_related("parent")
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if filters.parent:
        queryset = queryset.filter(parent=get_region(filters.parent))
    if filters.within:
        queryset = queryset.filter(subtree_q(get_region(filters.within).path))
    if filters.q:
        queryset = queryset.filter(name__contains=filters.q)
    return queryset.order_by("path")


@router.get("/regions/{code}", response=RegionRead, summary="One region")
def read_region(request: HttpRequest, code: str):
    return get_region(code)


@router.get("/regions/{code}/ancestors", response=list[RegionRead], summary="Ancestors")
def region_ancestors(request: HttpRequest, code: str):
    """From the province down to the region's parent."""
    return list(get_region(code).ancestors().select_related("parent"))


@router.get("/regions/{code}/children", response=list[RegionRead], summary="Direct children")
def region_children(request: HttpRequest, code: str):
    region = get_region(code)
    return list(region.children.select_related("parent").order_by("path"))
