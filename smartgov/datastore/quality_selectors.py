"""Read queries of data quality: reports, resource and department scores and their ranking,
the score history, and overdue deliveries. Reused by the API, the pages and the catalog badges.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from smartgov.accounts.scope import access, require_perm, restrict
from smartgov.catalog.masking import mask_value
from smartgov.catalog.models import Field, Resource
from smartgov.core.errors import NotFound
from smartgov.core.models import Department
from smartgov.datastore.models import QualityReport, QualitySnapshot
from smartgov.datastore.permissions import Perm
from smartgov.datastore.quality import mean_score, published_tables, with_latest_score
from smartgov.datastore.quality_checks import due_at, with_delivery_times

MAX_HISTORY_DAYS = 366


def quality_resources(actor) -> QuerySet[Resource]:
    """Published table resources whose quality the actor may read."""
    require_perm(actor, Perm.VIEW_QUALITY)
    return restrict(published_tables(), actor, Perm.VIEW_QUALITY)


def quality_resource(actor, resource_id: int) -> Resource:
    return access(
        Resource.objects.select_related("provider"), actor, Perm.VIEW_QUALITY, pk=resource_id
    )


def reports(actor, resource_id: int) -> QuerySet[QualityReport]:
    """The resource's reports, newest first."""
    resource = quality_resource(actor, resource_id)
    return QualityReport.objects.filter(resource=resource).order_by("-created_at", "-id")


def latest_report(actor, resource_id: int) -> QualityReport | None:
    return reports(actor, resource_id).first()


def require_latest_report(actor, resource_id: int) -> QualityReport:
    report = latest_report(actor, resource_id)
    if report is None:
        raise NotFound("no_report", "The resource has not been checked yet.")
    return report


def presented(actor, report: QualityReport) -> QualityReport:
    """The report with its sample values masked per field rule, unless the actor may read the
    resource's data in clear (its provider's officers and the data bureau may)."""
    clear = restrict(Resource.objects.filter(pk=report.resource_id), actor, Perm.VIEW_DATA).exists()
    if clear:
        return report
    masking = dict(
        Field.objects.filter(resource_id=report.resource_id).values_list("name", "masking")
    )
    shown = copy.copy(report)
    shown.results = copy.deepcopy(report.results)
    for result in shown.results:
        if result["kind"] == "acceptance":
            continue
        for sample in result["samples"]:
            for name, value in sample.items():
                if name != "_row_id":
                    sample[name] = mask_value(masking.get(name, "full"), value)
    return shown


def latest_scores(resource_ids) -> dict[int, dict]:
    """resource id -> {"score", "at"} of its latest report: for the catalog's badges (the
    caller shows only resources the viewer can see; the score itself is not restricted)."""
    rows = with_latest_score(Resource.objects.filter(pk__in=list(resource_ids))).values(
        "pk", "quality_score", "quality_at"
    )
    return {
        row["pk"]: {"score": row["quality_score"], "at": row["quality_at"]}
        for row in rows
        if row["quality_at"] is not None
    }


def latest_score(resource_id: int) -> dict | None:
    return latest_scores([resource_id]).get(resource_id)


@dataclass
class Overdue:
    resource: Resource
    last_delivery_at: datetime | None
    deadline: datetime

    @property
    def days_overdue(self) -> int:
        return max((timezone.now() - self.deadline).days, 0)


def overdue_deliveries(resources: QuerySet[Resource], now: datetime | None = None) -> list[Overdue]:
    """The resources among ``resources`` whose next delivery is past due, earliest first."""
    now = now or timezone.now()
    found = []
    for resource in with_delivery_times(resources.select_related("provider")):
        deadline = due_at(resource)
        if deadline is not None and deadline < now:
            found.append(Overdue(resource, resource.last_delivery_at, deadline))
    found.sort(key=lambda item: (item.deadline, item.resource.pk))
    return found


def overdue(actor) -> list[Overdue]:
    return overdue_deliveries(quality_resources(actor))


@dataclass
class DepartmentScore:
    department: Department
    score: object  # Decimal | None
    resources: int  # published table resources
    scored: int  # of which have a score
    overdue: int
    rank: int | None = None


def department_scores(actor) -> list[DepartmentScore]:
    """Providers of the resources the actor may read, ranked by the mean of their resources'
    latest scores (unscored departments last)."""
    now = timezone.now()
    resources = with_delivery_times(
        with_latest_score(quality_resources(actor).select_related("provider"))
    )
    by_department: dict[int, DepartmentScore] = {}
    scores: dict[int, list] = {}
    for resource in resources:
        entry = by_department.get(resource.provider_id)
        if entry is None:
            entry = by_department[resource.provider_id] = DepartmentScore(
                resource.provider, None, 0, 0, 0
            )
            scores[resource.provider_id] = []
        entry.resources += 1
        if resource.quality_score is not None:
            scores[resource.provider_id].append(resource.quality_score)
        deadline = due_at(resource)
        entry.overdue += int(deadline is not None and deadline < now)
    for department_id, entry in by_department.items():
        entry.score = mean_score(scores[department_id])
        entry.scored = len(scores[department_id])
    ranked = sorted(
        by_department.values(),
        key=lambda e: (e.score is None, -(e.score or 0), e.department.name),
    )
    previous, rank = None, 0
    for position, entry in enumerate(ranked, start=1):
        if entry.score is None:
            break
        if entry.score != previous:
            rank, previous = position, entry.score
        entry.rank = rank
    return ranked


def city_score(actor) -> dict:
    """The mean latest score over the resources the actor may read, and how many are overdue."""
    resources = list(with_delivery_times(with_latest_score(quality_resources(actor))))
    now = timezone.now()
    scores = [r.quality_score for r in resources if r.quality_score is not None]
    late = 0
    for resource in resources:
        deadline = due_at(resource)
        late += int(deadline is not None and deadline < now)
    return {
        "score": mean_score(scores),
        "resources": len(resources),
        "scored": len(scores),
        "overdue": late,
    }


def lowest_scores(actor, limit: int = 10) -> list[Resource]:
    return list(
        with_latest_score(quality_resources(actor).select_related("provider"))
        .filter(quality_score__isnull=False)
        .order_by("quality_score", "name", "id")[:limit]
    )


def score_history(actor, *, department_id: int | None = None, days: int = 90):
    """Daily snapshots of one department's score, or of the city's (None: whole-city scope
    only), over the last ``days`` days, oldest first."""
    require_perm(actor, Perm.VIEW_QUALITY)
    days = min(max(int(days), 1), MAX_HISTORY_DAYS)
    since = timezone.localdate() - timedelta(days=days - 1)
    snapshots = QualitySnapshot.objects.filter(day__gte=since)
    if department_id is None:
        snapshots = snapshots.filter(department__isnull=True)
    else:
        access(Department.objects.all(), actor, Perm.VIEW_QUALITY, pk=department_id)
        snapshots = snapshots.filter(department_id=department_id)
    return list(restrict(snapshots, actor, Perm.VIEW_QUALITY).order_by("day"))
