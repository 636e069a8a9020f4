"""Today's live demo applications, made through the real services as applicants and staff
would: some waiting for acceptance, one sent back for correction (补正), several in approval,
one waiting for its fee, one approved with its e-license issued and not yet rated, one with an
extension request waiting for the supervisor, and one rated badly with its rectification open.

The history's applications still in approval get their warnings from the deadline check.
Loaded once: an audit record marks it.
"""

from __future__ import annotations

import base64

from django.db import transaction

from smartgov.accounts.models import User
from smartgov.core import audit
from smartgov.core.errors import InvalidInput
from smartgov.core.models import AuditRecord
from smartgov.licenses.services import find_valid_license
from smartgov.services import applications, approval, fees, ratings
from smartgov.services.application_models import Application
from smartgov.services.demo_history import PLACEHOLDER_PDF
from smartgov.services.models import ItemStatus, ProofSource, ServiceItem

LIVE_ACTION = "services.application.demo_live"
# The demo enterprise's 营业执照变更登记 today: its new registered address.
NEW_ADDRESS = "浙江省杭州市西湖区文一西路 998 号 5 幢 3 楼"
# A walk-in applicant at the counter (not an account holder).
WALK_IN = ("王建华", "330102194503150311")


def _item(basic_code: str) -> ServiceItem:
    return ServiceItem.objects.get(basic_code=basic_code, status=ItemStatus.PUBLISHED)


def _uploads(item: ServiceItem, holder_id: str, only: set[int] | None = None) -> list[dict]:
    """A scan for every required material the platform does not find itself."""
    content = base64.b64encode(PLACEHOLDER_PDF).decode()
    uploads = []
    for material in item.materials.filter(requirement="required"):
        if only is not None and material.pk not in only:
            continue
        if (
            only is None
            and material.proof_source == ProofSource.E_LICENSE
            and find_valid_license(holder_id=holder_id, type_code=material.license_type_code)
        ):
            continue
        if only is None and material.proof_source == ProofSource.SHARED_DATA:
            continue  # the platform looks it up; uploaded below if it finds nothing
        uploads.append(
            {
                "material_id": material.pk,
                "file_name": f"{material.name}.pdf",
                "content_base64": content,
            }
        )
    return uploads


def _with_scans(item: ServiceItem, holder_id: str, send) -> Application:
    """``send(uploads)`` with the scans the platform cannot find; when shared data is not
    found either (no usable grant), again with those scans too."""
    uploads = _uploads(item, holder_id)
    try:
        with transaction.atomic():
            return send(uploads)
    except InvalidInput as error:
        missing = {m["material_id"] for m in (error.detail or {}).get("materials", [])}
        if error.code != "materials_missing" or not missing:
            raise
        return send(uploads + _uploads(item, holder_id, only=missing))


def _submit(actor: User, basic_code: str, form_data=None) -> Application:
    item = _item(basic_code)
    holder = actor.citizen_id if actor.kind == "citizen" else actor.credit_code
    return _with_scans(
        item,
        holder,
        lambda uploads: applications.submit_application(
            actor=actor,
            item_code=item.implementation_code,
            form_data=form_data or {},
            uploads=uploads,
        ),
    )


def _finish_all(application: Application, result_data=None) -> None:
    """Every step of the application approved by its department's approver."""
    from smartgov.services.demo import DEMO_ACCOUNTS

    approvers = {}
    for username, *_rest in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if username.startswith("approver_") and user is not None:
            approvers[user.memberships.first().department_id] = user
    for _round in range(10):
        active = list(application.tasks.filter(status="active"))
        if not active:
            return
        for task in active:
            actor = approvers[task.department_id]
            approval.claim_task(actor=actor, task_id=task.pk)
            approval.complete_task(
                actor=actor,
                task_id=task.pk,
                comment="材料齐全，符合条件，同意",
                result_data=result_data if len(active) == 1 else None,
            )


def load_live(users: dict[str, User]) -> int:
    """Today's applications (see the module docstring); returns how many were made."""
    if AuditRecord.objects.filter(action=LIVE_ACTION).exists():
        return 0
    citizen, elder, enterprise = users.get("citizen"), users.get("elder"), users.get("enterprise")
    desk = users.get("desk_center")
    if not (citizen and elder and enterprise and desk):
        return 0
    made: list[str] = []
    with transaction.atomic():
        # Waiting for acceptance: two online, one taken in at the counter.
        made.append(_submit(citizen, "000130002000").number)  # 居住证申领
        made.append(_submit(enterprise, "000101007000").number)  # 特种设备使用登记
        walk_in = _item("000126005000")  # 高龄津贴申领
        intake = _with_scans(
            walk_in,
            WALK_IN[1],
            lambda uploads: applications.counter_intake(
                actor=desk,
                item_code=walk_in.implementation_code,
                applicant_type="citizen",
                applicant_name=WALK_IN[0],
                applicant_id=WALK_IN[1],
                uploads=uploads,
                comment="老人到市民中心窗口现场申请",
            ),
        )
        made.append(intake.number)
        # Sent back for correction, everything missing listed at once.
        corrected = _submit(elder, "000126007000")  # 残疾人两项补贴申请
        applications.request_correction(
            actor=desk,
            number=corrected.number,
            items=["请补充本人银行卡（社保卡）复印件", "申请表需本人或监护人签字"],
            comment="一次性告知",
        )
        made.append(corrected.number)
        # In approval (the first step active in its department).
        for actor, code in ((citizen, "000130001000"), (enterprise, "000140005000")):
            application = _submit(actor, code)  # 户口迁移（市内）, 公共场所卫生许可
            applications.accept_application(actor=desk, number=application.number)
            made.append(application.number)
        # Awaiting payment: 居民身份证换领 has a 20 yuan fee, set on acceptance.
        paying = _submit(citizen, "000130004000")
        applications.accept_application(actor=desk, number=paying.number)
        fees.start_payment(actor=citizen, number=paying.number, provider="sandbox")
        made.append(paying.number)
        # Approved today, the new 营业执照 issued as an e-license, not rated yet.
        changed = _submit(enterprise, "000101002000")  # 营业执照变更登记
        applications.accept_application(actor=desk, number=changed.number)
        held = find_valid_license(holder_id=enterprise.credit_code, type_code="YYZZ")
        moved = {**(held.data if held else {}), "address": NEW_ADDRESS}  # 住所变更
        _finish_all(changed, result_data=moved)
        made.append(changed.number)
        # An extension request waiting for the supervisor.
        waiting = _submit(enterprise, "000190001000")  # 危险化学品经营许可
        applications.accept_application(actor=desk, number=waiting.number)
        task = waiting.tasks.get(status="active")
        handler = users["approver_yj"]
        approval.claim_task(actor=handler, task_id=task.pk)
        approval.request_time(
            actor=handler,
            number=waiting.number,
            kind="extend",
            days=5,
            reason="需组织专家对储存场所进行现场评审，申请延长 5 个工作日",
            task_id=task.pk,
        )
        made.append(waiting.number)
        # Done at once, rated 不满意: the department's rectification is open.
        rented = _submit(citizen, "000170003000")  # 住房公积金提取（租房）
        applications.accept_application(actor=desk, number=rented.number)
        _finish_all(rented)
        ratings.rate_application(
            actor=citizen, number=rented.number, level=2, comment="到账比承诺的慢，电话也没人接"
        )
        made.append(rented.number)
        approval.check_deadlines()
        audit.record(
            actor=None,
            action=LIVE_ACTION,
            object_type="services.application",
            object_id="demo-live",
            object_repr="demo live applications",
            after={"numbers": made},
        )
    return len(made)
