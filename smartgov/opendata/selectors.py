"""Read queries of open data: which resources are open, which of their fields, who may use them.

What is open: published catalog resources whose open type is 无条件开放 (open) or 有条件开放
(conditional). Which fields: open data carries no personal data, so a field is published only
when it has no personal-data kind and is graded 一般 (general); the others are listed on the
resource page as withheld (by label) and never leave the platform through the portal, the
downloads, the CKAN API or DCAT. Who may read the rows: anyone for open resources; for
conditional ones only a developer whose application the provider approved.
"""

# SQL here names tables and columns: field names match catalog's FIELD_NAME_RE and are quoted
# with db.q(); every value is passed as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet

from smartgov.catalog.models import (
    Field,
    Grade,
    OpenType,
    PersonalKind,
    Resource,
    ResourceStatus,
)
from smartgov.core.errors import NotFound
from smartgov.datastore import db
from smartgov.datastore.models import StoreTable
from smartgov.datastore.validation import output
from smartgov.opendata.models import ApplicationStatus, OpenApplication, Publication

OPEN_TYPES = (OpenType.OPEN, OpenType.CONDITIONAL)
DOWNLOAD_FORMATS = ("csv", "json", "xlsx", "parquet")
FORMAT_LABELS = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX", "parquet": "Parquet"}
PREVIEW_ROWS = 10
_NAME_RE = re.compile(r"^(\d{9})-(\d{6})$", re.ASCII)


def open_resources() -> QuerySet[Resource]:
    """Published resources open to the public, with or without conditions."""
    return Resource.objects.filter(status=ResourceStatus.PUBLISHED, open_type__in=OPEN_TYPES)


def package_name(resource: Resource) -> str:
    """The URL name of an open resource: its code with '-' for '/' (101002001-000001)."""
    return resource.code.replace("/", "-")


def code_of(name: str) -> str | None:
    match = _NAME_RE.match(name or "")
    return f"{match.group(1)}/{match.group(2)}" if match else None


def get_open_resource(name: str) -> Resource:
    """The open resource of a package name (or numeric id); NotFound for anything else."""
    name = str(name or "").strip()
    code = code_of(name)
    queryset = open_resources().select_related("provider", "publication__topic")
    resource = queryset.filter(code=code).first() if code else None
    if resource is None:
        raise NotFound("not_found", "No such open data resource.")
    return resource


def is_open_field(field: Field) -> bool:
    """Published fields carry no personal data and are graded general (see the module doc)."""
    return field.personal_kind == PersonalKind.NONE and field.grade == Grade.GENERAL


def split_fields(resource: Resource) -> tuple[list[Field], list[Field]]:
    """(open fields, withheld fields) in column order."""
    fields = list(resource.fields.all())
    return [f for f in fields if is_open_field(f)], [f for f in fields if not is_open_field(f)]


def publication(resource: Resource) -> Publication | None:
    try:
        return resource.publication
    except Publication.DoesNotExist:
        return None


def open_table(resource: Resource) -> StoreTable | None:
    """The resource's store table narrowed to its open columns (unsaved; for reads only), or
    None when the resource holds no rows yet."""
    table = StoreTable.objects.filter(resource=resource).first()
    if table is None or table.version == 0:
        return None
    allowed = {f.name for f in resource.fields.all() if is_open_field(f)}
    schema = [c for c in table.schema if c["name"] in allowed]
    if not schema:
        return None
    return StoreTable(
        pk=table.pk,
        resource=resource,
        table_name=table.table_name,
        schema=schema,
        version=table.version,
        updated_at=table.updated_at,
    )


def may_use(user, resource: Resource) -> bool:
    """Whether ``user`` may read the rows: everyone for open resources, approved applicants for
    conditionally open ones."""
    if resource.open_type == OpenType.OPEN:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return OpenApplication.objects.filter(
        resource=resource, applicant=user, status=ApplicationStatus.APPROVED
    ).exists()


def application_of(user, resource: Resource) -> OpenApplication | None:
    """The user's latest application for the resource."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return OpenApplication.objects.filter(resource=resource, applicant=user).first()


def row_count(table: StoreTable) -> int:
    where, params = db.as_of(None)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {db.q(table.table_name)} WHERE {where}", params)
        return cursor.fetchone()[0]


def preview(table: StoreTable, limit: int = PREVIEW_ROWS) -> list[list]:
    """The first rows (open columns only), as display values."""
    names = [c["name"] for c in table.schema]
    convert = [output(c["data_type"]) for c in table.schema]
    where, params = db.as_of(None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(db.q(n) for n in names)} FROM {db.q(table.table_name)} "
            f"WHERE {where} ORDER BY _row_id LIMIT %s",
            [*params, limit],
        )
        return [[f(v) for f, v in zip(convert, row, strict=True)] for row in cursor.fetchall()]
