"""Demo register of one data element, one source (一数一源): citizens' names, genders and birth
dates from the household register, enterprises' names, addresses and legal representatives
from the legal-entity register, each with the resources holding copies. Then a first
comparison, and a few decisions so every role sees work. Idempotent; works with whatever rows
the demo data store holds (possibly none)."""

from __future__ import annotations

from smartgov.accounts.models import User
from smartgov.catalog import elements
from smartgov.catalog.models import DataElement, Resource, SourceHolder
from smartgov.datastore import sources
from smartgov.datastore.models import ConflictStatus, ScanTrigger, SourceConflict, SourceScan

POPULATION = "101001001/000001"
LEGAL_ENTITIES = "101002001/000001"

# (resource code, field, key field, report keys missing in the source)
CITIZEN_NAME_HOLDERS = [
    ("101001002/000001", "name", "citizen_id", False),  # migrants are not in the register
    ("101001003/000001", "name", "citizen_id", True),
    ("101001004/000001", "name", "citizen_id", True),
    ("301010001/000001", "owner_name", "owner_citizen_id", False),
    ("301010002/000001", "name", "citizen_id", False),
    ("303001001/000001", "name", "citizen_id", True),
    ("303001002/000001", "name", "citizen_id", False),
    ("303001003/000001", "name", "citizen_id", False),
    ("303001004/000001", "name", "citizen_id", False),
    ("305001001/000001", "name", "citizen_id", True),
    ("305001002/000001", "name", "citizen_id", False),
    ("309001001/000001", "name", "citizen_id", True),
]
ENTERPRISE_NAME_HOLDERS = [
    ("104001001/000001", "org_name", "credit_code", True),
    ("302001001/000001", "operator_name", "credit_code", True),
    ("106001001/000001", "org_name", "credit_code", True),
    ("304001001/000001", "org_name", "credit_code", False),  # public institutions
    ("308001003/000001", "org_name", "credit_code", False),
    ("309001002/000001", "org_name", "credit_code", False),
]
# Missing credit codes are already reported by the name holders of the same resources.
ENTERPRISE_ADDRESS_HOLDERS = [
    ("302001001/000001", "premises", "credit_code", False),
    ("304001001/000001", "address", "credit_code", False),
    ("308001003/000001", "address", "credit_code", False),
    ("309001002/000001", "address", "credit_code", False),
]

# (code, name, description, key type, source resource, source field, source key, holders)
DEMO_ELEMENTS = [
    (
        "citizen_name",
        "公民姓名",
        "公民的法定姓名，以公安机关户籍登记为准。",
        "citizen_id",
        POPULATION,
        "name",
        "citizen_id",
        CITIZEN_NAME_HOLDERS,
    ),
    (
        "citizen_gender",
        "公民性别",
        "以户籍登记为准。",
        "citizen_id",
        POPULATION,
        "gender",
        "citizen_id",
        [("101001003/000001", "gender", "citizen_id", False)],
    ),
    (
        "citizen_birth_date",
        "公民出生日期",
        "以户籍登记为准；与公民身份号码中的出生日期一致。",
        "citizen_id",
        POPULATION,
        "birth_date",
        "citizen_id",
        [("101001003/000001", "birth_date", "citizen_id", False)],
    ),
    (
        "enterprise_name",
        "企业名称",
        "市场主体登记的名称，以市场监管部门法人单位登记为准。",
        "credit_code",
        LEGAL_ENTITIES,
        "org_name",
        "credit_code",
        ENTERPRISE_NAME_HOLDERS,
    ),
    (
        "enterprise_address",
        "企业住所",
        "市场主体登记的住所；经营场所可与住所不同，由数据局逐条核定。",
        "credit_code",
        LEGAL_ENTITIES,
        "address",
        "credit_code",
        ENTERPRISE_ADDRESS_HOLDERS,
    ),
    (
        "legal_representative",
        "法定代表人",
        "以法人单位登记为准。",
        "credit_code",
        LEGAL_ENTITIES,
        "legal_representative",
        "credit_code",
        [],
    ),
]


def _register(admin: User, resources: dict[str, Resource]) -> list[DataElement]:
    """Create the elements and holders that are missing (their resources must exist)."""
    registered = []
    for code, name, description, key_type, source, field, key, holders in DEMO_ELEMENTS:
        if source not in resources:
            continue
        element = DataElement.objects.filter(code=code).first()
        if element is None:
            element = elements.create_element(
                actor=admin,
                code=code,
                name=name,
                description=description,
                key_type=key_type,
                source_resource_id=resources[source].pk,
                source_field=field,
                source_key_field=key,
            )
        for resource_code, held, holder_key, report_missing in holders:
            resource = resources.get(resource_code)
            if (
                resource is None
                or SourceHolder.objects.filter(resource=resource, field=held).exists()
            ):
                continue
            elements.add_holder(
                actor=admin,
                element_id=element.pk,
                resource_id=resource.pk,
                field=held,
                key_field=holder_key,
                report_missing=report_missing,
            )
        registered.append(element)
    return registered


def _first_open(code: str, resource_code: str) -> SourceConflict | None:
    return (
        SourceConflict.objects.filter(
            element__code=code,
            holder__resource__code=resource_code,
            status=ConflictStatus.OPEN,
        )
        .order_by("key_value")
        .first()
    )


def _decide(admin: User) -> None:
    """A few decisions, so the holder's and the source's officers have work in their inbox."""
    conflict = _first_open("citizen_name", "303001001/000001")
    if conflict is not None:
        sources.notify_holder(
            actor=admin, conflict_id=conflict.pk, comment="请核对参保登记姓名，以户籍登记为准。"
        )
    conflict = _first_open("enterprise_address", "302001001/000001")
    if conflict is not None:
        sources.dismiss_conflict(
            actor=admin,
            conflict_id=conflict.pk,
            reason="许可证登记的是经营场所，可与企业住所不同，属正常情况。",
        )
    conflict = _first_open("enterprise_name", "104001001/000001")
    if conflict is not None:
        sources.report_source_error(
            actor=admin,
            conflict_id=conflict.pk,
            comment="营业执照为最新核准名称，请核查法人库是否已同步变更登记。",
        )


def load_demo_sources(stdout=None) -> str:
    admin = User.objects.filter(username="data_admin").first()
    if admin is None:
        return "no data-bureau administrator: the catalog demo is not loaded"
    codes = {POPULATION, LEGAL_ENTITIES}
    for entry in DEMO_ELEMENTS:
        codes.update(holder[0] for holder in entry[7])
    resources = {r.code: r for r in Resource.objects.filter(code__in=codes)}
    registered = _register(admin, resources)
    # Compare the elements never compared yet (deliveries compare the others themselves).
    fresh = [e for e in registered if not SourceScan.objects.filter(element=e).exists()]
    for element in fresh:
        sources.scan_element(actor=None, element_id=element.pk, trigger=ScanTrigger.DEMO)
    if fresh:
        _decide(admin)
    holders = SourceHolder.objects.filter(element__in=registered).count()
    unresolved = SourceConflict.objects.exclude(status=ConflictStatus.RESOLVED).count()
    return (
        f"{len(registered)} data elements with {holders} holders (一数一源), "
        f"{unresolved} unresolved source conflicts"
    )
