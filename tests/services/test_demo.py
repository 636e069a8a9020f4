"""The services demo: at least 40 published items across departments, no-proof materials
wired to e-license types and catalog resources, promised limits within legal ones, steps with
roles and 并联 groups, staff, bundles, a consistent year of history and today's live state;
a second run changes nothing."""

from __future__ import annotations

from django.db.models import F

from smartgov.accounts.demo import load_demo
from smartgov.catalog.demo import load_demo_catalog
from smartgov.services import selectors, services
from smartgov.services.demo import load_demo_services
from smartgov.services.models import ItemMaterial, ItemStatus, ServiceItem


def test_demo_services(regions):
    load_demo()
    load_demo_catalog()
    summary = load_demo_services()
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    assert published.count() >= 40 and "published service items" in summary
    assert published.values("department").distinct().count() >= 10
    for item in published:
        assert not services.publication_problems(item)
        ratio = services.compression_ratio(item)
        assert ratio is None or 0 <= ratio <= 1
    yyzz = ItemMaterial.objects.filter(proof_source="e_license", license_type_code="YYZZ")
    assert yyzz.count() >= 10
    assert ItemMaterial.objects.filter(
        proof_source="shared_data", resource__code="101001001/000001"
    ).exists()
    assert selectors.published_items(query="开饭店")[0].name in {
        "食品经营许可",
        "个体工商户注册登记",
    }
    assert "食品经营许可" in [i.name for i in selectors.published_items(query="开饭店")]
    from smartgov.services.models import FormDefinition

    assert FormDefinition.objects.count() == 6
    count = ServiceItem.objects.count()
    load_demo_services()
    assert ServiceItem.objects.count() == count


def test_demo_licenses_satisfy_the_demo_items_no_proof_materials(regions):
    """The two demos speak of the same e-license types: a material that asks for the
    营业执照 or the 结婚证 finds the demo enterprise's and citizen's licenses."""
    from smartgov.accounts.models import User
    from smartgov.core.crypto import decrypt_field
    from smartgov.licenses.demo import load_demo_licenses
    from smartgov.licenses.services import find_valid_license

    load_demo()
    load_demo_catalog()
    load_demo_licenses()
    load_demo_services()
    asked = set(
        ItemMaterial.objects.filter(proof_source="e_license").values_list(
            "license_type_code", flat=True
        )
    )
    assert {"YYZZ", "JHZ"} <= asked
    enterprise = User.objects.get(username="enterprise")
    citizen = User.objects.get(username="citizen")
    assert find_valid_license(holder_id=enterprise.credit_code, type_code="YYZZ") is not None
    citizen_id = decrypt_field(citizen.citizen_id_encrypted)
    assert find_valid_license(holder_id=citizen_id, type_code="JHZ") is not None


def _load_all():
    from smartgov.licenses.demo import load_demo_licenses

    load_demo()
    load_demo_catalog()
    load_demo_licenses()
    return load_demo_services()


def test_demo_items_staff_and_bundles(regions):
    """Steps with roles and limits (并联 groups across two departments), results that are
    e-licenses of existing types, fees only where the item is not free; staff; bundles."""
    from smartgov.accounts.models import User
    from smartgov.accounts.scope import has_perm
    from smartgov.licenses.models import LicenseType
    from smartgov.services.bundle_models import Bundle, BundleStatus
    from smartgov.services.permissions import Perm

    _load_all()
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).prefetch_related("steps")
    types = set(LicenseType.objects.values_list("code", flat=True))
    parallel = 0
    for item in published:
        steps = list(item.steps.all())
        assert steps and all(s.role == "approver" for s in steps), item.name
        assert steps[-1].name == "办结" and "受理" not in [s.name for s in steps]
        assert sum(s.limit_days for s in steps if not s.parallel_group) <= item.promised_days
        assert not item.result_license_type or item.result_license_type in types
        assert bool(item.fees) != item.is_free
        groups = {s.parallel_group for s in steps if s.parallel_group}
        for group in groups:
            departments = {
                s.department_id or item.department_id for s in steps if s.parallel_group == group
            }
            assert len(departments) == 2, item.name
            parallel += 1
    assert parallel >= 3
    assert published.filter(result_license_type="YYZZ").exists()
    # staff: a front desk and a supervisor city-wide, an approver in every item department
    approvers = User.objects.filter(username__startswith="approver_")
    assert approvers.count() >= 10
    item_departments = set(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).values_list("department", flat=True)
    )
    approver_departments = set(approvers.values_list("memberships__department", flat=True))
    assert item_departments <= approver_departments
    assert has_perm(User.objects.get(username="desk_center"), Perm.INTAKE)
    assert has_perm(User.objects.get(username="svc_supervisor"), Perm.SUPERVISE)
    bundles = Bundle.objects.filter(status=BundleStatus.PUBLISHED).prefetch_related("entries")
    assert bundles.count() >= 3
    published = set(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).values_list("basic_code", flat=True)
    )
    for bundle in bundles:
        codes = [e.basic_code for e in bundle.entries.all()]
        assert len(codes) >= 2 and set(codes) <= published


def test_demo_history_is_consistent_and_a_second_run_changes_nothing(regions):
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from smartgov.services.application_models import (
        Application,
        ApplicationEvent,
        ApplicationSequence,
    )
    from smartgov.services.bundle_models import BundleApplication, BundleSequence
    from smartgov.services.fee_models import Payment
    from smartgov.services.rating_models import Rating, Rectification
    from smartgov.services.workflow_models import ApprovalTask

    _load_all()
    apps = Application.objects.all()
    total = apps.count()
    assert 5500 <= total <= 6500
    today = timezone.localdate()
    first = apps.order_by("submitted_at").first().submitted_at
    assert timezone.localdate(first) >= today - timedelta(days=366)
    assert not apps.filter(submitted_at__gt=timezone.now()).exists()
    # mostly approved, some of every end, about 80 % online
    statuses = dict(apps.values_list("status").annotate(n=Count("id")))
    assert statuses["approved"] > 0.8 * total
    for status in ("refused", "denied", "withdrawn"):
        assert statuses.get(status, 0) > 20
    online = apps.filter(channel="online").count()
    assert 0.7 < online / total < 0.9
    assert apps.filter(events__kind="request_correction").distinct().count() > 50
    # every ended application has its end; every approved one has all its tasks done
    ended = apps.filter(status__in=["approved", "denied"])
    assert not ended.filter(completed_at__isnull=True).exists()
    # refused (不予受理) and withdrawn applications end without a completion (办结), as live
    assert not apps.filter(status__in=["refused", "withdrawn"], completed_at__isnull=False).exists()
    assert not apps.filter(status="approved", on_time__isnull=True).exists()
    assert not apps.filter(status="approved", handling_days__isnull=True).exists()
    assert (
        not ApprovalTask.objects.filter(application__status="approved")
        .exclude(status="done")
        .exists()
    )
    assert not ApprovalTask.objects.filter(status="done", finished_at__isnull=True).exists()
    assert not apps.filter(completed_at__lt=F("accepted_at")).exists()
    assert apps.filter(on_time=False).exists()
    # e-license results, fees paid through the sandbox
    issued = apps.filter(status="approved", item__result_license_type="YYZZ")
    assert issued.exists() and not issued.filter(result_license__isnull=True).exists()
    assert not apps.filter(status="approved", payment_status="unpaid").exists()
    paid = apps.filter(payment_status="paid")
    assert paid.exists() and Payment.objects.filter(status="paid").count() == paid.count()
    assert not Payment.objects.exclude(provider="sandbox").exists()
    # every timeline starts with the submission and its events are in order
    sample = apps.filter(status="approved").order_by("pk")[:200]
    for app in sample:
        kinds = list(app.events.values_list("kind", flat=True))
        assert kinds[0] == "submit" and "accept" in kinds and "approve" in kinds
        times = list(app.events.values_list("at", flat=True))
        assert times == sorted(times)
    # ratings only on ended applications, about 70 %, few bad ones, rectified
    ratings = Rating.objects.all()
    assert not ratings.exclude(
        application__status__in=["approved", "denied", "refused", "withdrawn"]
    ).exists()
    rated_share = (
        ratings.count() / apps.filter(status__in=["approved", "denied", "refused"]).count()
    )
    assert 0.6 < rated_share < 0.8
    bad = ratings.filter(level__lte=2).count()
    assert 0.005 < bad / ratings.count() < 0.05
    assert Rectification.objects.count() == bad
    assert Rectification.objects.filter(status="closed").exists()
    assert not Rectification.objects.filter(status="closed", revisited_at__isnull=True).exists()
    # numbers unique, BJ + the submission's local day, and the day counters continue after them
    numbers = list(apps.values_list("number", "submitted_at"))
    assert len({n for n, _ in numbers}) == total
    for number, submitted in numbers[:500]:
        assert number.startswith(f"BJ{timezone.localdate(submitted):%Y%m%d}")
    for sequence in ApplicationSequence.objects.all():
        day_numbers = apps.filter(number__startswith=f"BJ{sequence.day:%Y%m%d}")
        assert day_numbers.count() == sequence.last
    bundles = BundleApplication.objects.all()
    assert bundles.count() > 50 and bundles.filter(status="completed").exists()
    assert sum(BundleSequence.objects.values_list("last", flat=True)) == bundles.count()
    assert apps.filter(bundle_application__isnull=False).count() >= 2 * bundles.count()
    # a second run changes nothing
    counts = (
        apps.count(),
        ApplicationEvent.objects.count(),
        ratings.count(),
        bundles.count(),
        ApprovalTask.objects.count(),
    )
    load_demo_services()
    assert counts == (
        apps.count(),
        ApplicationEvent.objects.count(),
        ratings.count(),
        bundles.count(),
        ApprovalTask.objects.count(),
    )


def test_demo_live_state_of_today(regions):
    """Today's applications, made through the services: waiting for acceptance, in
    correction, in approval (and a yellow and a red one from the history), awaiting payment,
    approved with an e-license, an extension request and an open rectification."""
    from django.utils import timezone

    from smartgov.services.application_models import Application
    from smartgov.services.rating_models import Rectification
    from smartgov.services.workflow_models import ApprovalTask, TimeRequest

    _load_all()
    today = f"BJ{timezone.localdate():%Y%m%d}"
    live = Application.objects.filter(number__startswith=today)
    assert live.filter(status="submitted").count() >= 3
    assert live.filter(status="submitted", channel="counter", recorded_by__username="desk_center")
    correction = live.get(status="correction_requested")
    assert len(correction.correction_items) == 2 and correction.events.filter(
        kind="request_correction"
    )
    assert live.filter(status="accepted").count() >= 3
    assert live.filter(materials__satisfied_by="e_license").exists()  # 无证明: found, not sent
    running = Application.objects.filter(status="accepted")
    assert running.filter(warning_level="yellow").exists()
    assert running.filter(warning_level="red").exists()
    assert ApprovalTask.objects.filter(status="active", warning_level="red").exists()
    assert ApprovalTask.objects.filter(application__in=live, status="active").exists()
    done = live.get(status="approved", item__basic_code="000101002000")
    assert done.result_license is not None and not hasattr(done, "rating")
    assert done.result_license.data["address"] == "浙江省杭州市西湖区文一西路 998 号 5 幢 3 楼"
    assert TimeRequest.objects.filter(application__in=live, status="pending").count() == 1
    assert Rectification.objects.filter(rating__application__in=live, status="open").exists()
    unpaid = live.get(payment_status="unpaid")
    assert unpaid.fee_total > 0 and unpaid.payments.filter(provider="sandbox", status="created")
    count = Application.objects.count()
    load_demo_services()
    assert Application.objects.count() == count
