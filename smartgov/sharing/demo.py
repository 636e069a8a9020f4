"""Demo data sharing: consumer apps of two departments, requests in every state, grants on the
population and legal-entity resources, and objections — made through the services, as real
users would (idempotent: an app that exists is left alone, and so is everything made for it).

The demo apps share one fixed secret, printed by ``smartgov demo`` and given in the README, so
the gateway can be tried by hand. It is for the demo only: real apps get a random secret,
shown once.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from smartgov.accounts import services as account_services
from smartgov.accounts.demo import DEMO_PASSWORD, demo_citizen_id
from smartgov.accounts.models import User
from smartgov.catalog.models import Resource, ResourceStatus
from smartgov.core import audit
from smartgov.core.crypto import encrypt_field
from smartgov.core.models import Department
from smartgov.datastore import services as datastore_services
from smartgov.datastore.models import StoreTable
from smartgov.sharing import objections, services
from smartgov.sharing.models import AccessRequest, ConsumerApp, Objection
from smartgov.sharing.objections import find_record
from smartgov.sharing.permissions import DATA_CONSUMER

# Same shape as a real secret (secrets.token_urlsafe(32): 43 URL-safe characters).
DEMO_APP_SECRET = "SmartgovDemoAppSecret-2026-NotForProduction"  # noqa: S105 — demo only
POPULATION = "101001001/000001"
MIGRANTS = "101001002/000001"
DEATHS = "101001004/000001"
VEHICLES = "301010001/000001"
LEGAL_ENTITIES = "101002001/000001"

# (username, name, department short name, title)
DEMO_ACCOUNTS = [
    ("hr_consumer", "孙丽", "市人社局", "信息中心科员"),
    ("civil_consumer", "吴强", "市民政局", "社会救助处科员"),
]
# (department short name, app name, contact, phone, allow-list)
DEMO_APPS = [
    ("市人社局", "社保待遇资格认证系统", "孙丽", "0571-85100001", ["10.33.0.0/16"]),
    ("市民政局", "低保救助审核系统", "吴强", "0571-85100002", ["10.35.12.0/24", "10.35.13.8"]),
]
LAW = "《浙江省公共数据条例》第二十六条"


def _accounts() -> dict[str, User]:
    departments = {
        d.short_name: d
        for d in Department.objects.filter(parent__parent=None, parent__isnull=False)
    }
    users = {}
    for username, name, short, title in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_services.create_staff(
                actor=None, username=username, name=name, password=DEMO_PASSWORD
            )
        account_services.grant_initial_role(
            user=user,
            department=departments[short],
            role_code=DATA_CONSUMER,
            scope="department",
            title=title,
        )
        users[username] = user
    return users


def _app(actor, short: str, name: str, contact: str, phone: str, ips: list[str]) -> ConsumerApp:
    app, _random = services.register_app(
        actor=actor, name=name, contact_name=contact, contact_phone=phone, ip_allowlist=ips
    )
    # The documented demo secret instead of the random one (as a rotation would set it).
    app.secret_encrypted = encrypt_field(DEMO_APP_SECRET)
    app.save(update_fields=["secret_encrypted", "updated_at"])
    audit.record(
        actor=None,
        action="sharing.app.demo_secret",
        obj=app,
        after={"secret_version": app.secret_version},
    )
    return app


def _resource(code: str) -> Resource | None:
    return Resource.objects.filter(code=code, status=ResourceStatus.PUBLISHED).first()


def _ask(actor, app, resource, fields, *, clear=(), purpose: str, days=365, rate=120):
    today = timezone.localdate()
    return services.submit_request(
        actor=actor,
        app_id=app.pk,
        resource_id=resource.pk,
        fields=list(fields),
        clear_fields=list(clear),
        purpose=purpose,
        legal_basis=LAW,
        valid_from=today,
        valid_until=today + timedelta(days=days),
        expected_daily_calls=rate * 20,
        rate_per_minute=rate,
    )


def _step(request: AccessRequest, position: int):
    return request.steps.get(position=position)


def _demo_citizen_record(officer: User, population: Resource) -> str:
    """The demo citizen 张三's household record, so that her own data can be objected to."""
    citizen_id = demo_citizen_id("330106", "19900307", "123")
    if find_record(population, citizen_id) is None:
        datastore_services.push_records(
            actor=officer,
            resource_id=population.pk,
            mode="upsert",
            records=[
                {
                    "citizen_id": citizen_id,
                    "name": "张三",
                    "gender": "男",
                    "ethnicity": "汉族",
                    "birth_date": "1990-03-07",
                    "household_address": "杭州市西湖区文三路90号3幢2单元501室",
                    "household_region": "330106",
                    "registered_on": "2008-09-01",
                }
            ],
        )
    return citizen_id


def _first_key(resource: Resource) -> str | None:
    """The key of some stored record (for the consumer's objection)."""
    from smartgov.datastore.selectors import iter_rows

    table = StoreTable.objects.filter(resource=resource).first()
    if table is None:
        return None
    index = next(i for i, c in enumerate(table.schema) if c["is_key"])
    for row in iter_rows(table, batch=10):
        return str(row[index])
    return None


@transaction.atomic
def load_demo_sharing(stdout=None) -> str:
    users = _accounts()
    hr, civil = users["hr_consumer"], users["civil_consumer"]
    officer = User.objects.filter(username="data_officer").first()  # 市公安局: the provider
    admin = User.objects.filter(username="data_admin").first()  # the data bureau
    population, legal = _resource(POPULATION), _resource(LEGAL_ENTITIES)
    if officer is None or admin is None or population is None or legal is None:
        return "catalog demo missing: no sharing demo"
    if ConsumerApp.objects.filter(name=DEMO_APPS[0][1]).exists():
        return _summary()
    by_user = {"市人社局": hr, "市民政局": civil}
    hr_app, civil_app = (_app(by_user[a[0]], *a) for a in DEMO_APPS)

    # Approved by the provider and the data bureau (the provider left out the ethnicity).
    granted = _ask(
        hr,
        hr_app,
        population,
        ["citizen_id", "name", "gender", "ethnicity", "birth_date"],
        clear=["name"],
        purpose="养老保险待遇领取资格认证，核验参保人户籍状态",
    )
    services.approve_step(
        actor=officer,
        step_id=_step(granted, 1).pk,
        fields=["citizen_id", "name", "gender", "birth_date"],
        comment="民族信息与资格认证无关，不予提供",
    )
    services.approve_step(actor=admin, step_id=_step(granted, 2).pk, comment="同意")
    # Unconditional: granted at once.
    _ask(
        civil,
        civil_app,
        legal,
        ["credit_code", "org_name", "legal_representative", "address"],
        purpose="养老服务机构登记核验",
    )
    # Waiting for the provider.
    _ask(
        civil,
        civil_app,
        population,
        ["citizen_id", "name", "household_address", "household_region"],
        purpose="最低生活保障申请家庭成员户籍核对",
    )
    migrants = _resource(MIGRANTS)
    if migrants is not None:  # waiting for the data bureau
        waiting = _ask(
            hr, hr_app, migrants, ["citizen_id", "name", "region_code"], purpose="灵活就业参保登记"
        )
        services.approve_step(actor=officer, step_id=_step(waiting, 1).pk, comment="同意")
    vehicles = _resource(VEHICLES)
    if vehicles is not None:  # rejected by the provider
        rejected = _ask(
            civil, civil_app, vehicles, ["plate_no", "owner_citizen_id"], purpose="低保家庭财产核查"
        )
        services.reject_step(
            actor=officer,
            step_id=_step(rejected, 1).pk,
            reason="请通过“一件事”家庭经济状况核对平台申请，本资源不直接提供",
        )
    deaths = _resource(DEATHS)
    if deaths is not None:  # withdrawn by the consumer
        withdrawn = _ask(hr, hr_app, deaths, ["citizen_id", "death_date"], purpose="停发待遇核查")
        services.withdraw_request(actor=hr, request_id=withdrawn.pk)

    # Objections: the consumer about a value it read, the demo citizen about her own record.
    key = _first_key(population)
    if key is not None:
        objections.raise_objection(
            actor=hr,
            resource_id=population.pk,
            record_key=key,
            field="birth_date",
            proposed_value="1985-06-01",
            reason="参保登记时提供的出生证明与户籍出生日期不一致",
        )
    citizen = User.objects.filter(username="citizen").first()
    if citizen is not None:
        _demo_citizen_record(officer, population)
        answered = objections.raise_objection(
            actor=citizen,
            resource_id=population.pk,
            field="household_address",
            proposed_value="杭州市西湖区文三路90号3幢2单元502室",
            reason="门牌号登记错误，应为502室",
        )
        objections.correct_objection(
            actor=officer, objection_id=answered.pk, response="经核实户籍档案，已更正门牌号"
        )
    calls = _demo_calls(hr_app, civil_app, population, legal)
    if stdout is not None:
        stdout.write(f"\nSharing gateway: {calls} demo calls made through the gateway\n")
        stdout.write("\nSharing demo apps (secret for both, demo only: " + DEMO_APP_SECRET + ")\n")
        for app in (hr_app, civil_app):
            stdout.write(f"  {app.app_key}  {app.name} · {app.department.name}\n")
        stdout.write("Sharing demo accounts (same password)\n")
        for username, _name, short, title in DEMO_ACCOUNTS:
            stdout.write(f"  {username:<18} {'staff':<11} {title} · {short}\n")
    return _summary()


def _allowed_address(app) -> str:
    """An address inside the app's allow-list (the demo calls come from the app's network)."""
    import ipaddress

    if not app.ip_allowlist:
        return "127.0.0.1"
    network = ipaddress.ip_network(app.ip_allowlist[0], strict=False)
    return str(next(iter(network.hosts()), network.network_address))


def _demo_calls(hr_app, civil_app, population: Resource, legal: Resource) -> int:
    """Real signed calls through the gateway handler (masking, rate window, call log), so the
    usage statistics and the citizens' "who read my data" have something to show: the pension
    check reads 张三's record, the civil-affairs system looks up the demo enterprise. The log rows
    are then spread over the last four weeks (demo history only; real rows keep their time)."""
    from smartgov.sharing import gateway
    from smartgov.sharing.models import CallLog
    from smartgov.sharing.signing import sign_request

    def call(app, resource, key: str) -> int:
        path = f"/gateway/v1/resources/{resource.pk}/records/{key}"
        headers = sign_request(app_key=app.app_key, secret=DEMO_APP_SECRET, method="GET", path=path)
        meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
        answer = gateway.handle(
            gateway.GatewayRequest(
                method="GET",
                path=path,
                query="",
                body=b"",
                meta=meta,
                client_ip=_allowed_address(app),
                request_id="demo",
            )
        )
        return answer.status

    citizen_key = demo_citizen_id("330106", "19900307", "123")
    enterprise = User.objects.filter(username="enterprise").first()
    made = 0
    for _ in range(3):
        call(hr_app, population, citizen_key)
        made += 1
    other = _first_key(population)
    if other is not None:
        for _ in range(5):
            call(hr_app, population, other)
            made += 1
    if enterprise is not None and enterprise.credit_code:
        for _ in range(2):
            call(civil_app, legal, enterprise.credit_code)
            made += 1
    now = timezone.now()
    for age, row in enumerate(CallLog.objects.order_by("-id").values_list("id", flat=True)):
        CallLog.objects.filter(pk=row).update(created_at=now - timedelta(days=3 * age, hours=age))
    return made


def _summary() -> str:
    return (
        f"{ConsumerApp.objects.count()} apps, {AccessRequest.objects.count()} requests, "
        f"{Objection.objects.count()} objections"
    )
