"""Reads of applications, reused by the API (and later the pages and statistics): the
applicant's own list, one application for its applicant or staff in scope, the receipt."""

from __future__ import annotations

from smartgov.accounts.scope import has_perm, restrict
from smartgov.core.errors import NotFound
from smartgov.services.application_models import Application, SatisfiedBy
from smartgov.services.permissions import Perm


def my_applications(actor):
    if not getattr(actor, "pk", None):
        return Application.objects.none()
    return Application.objects.filter(applicant=actor).select_related("item")


def application_for(actor, number: str) -> Application:
    """The applicant's own application, or one in a staff member's scope (``services.accept``,
    ``services.intake``, an approver's step, a supervisor's department); else not found."""
    queryset = Application.objects.select_related("item", "item__department")
    own = queryset.filter(number=str(number or ""), applicant_id=getattr(actor, "pk", None))
    application = own.first() if getattr(actor, "pk", None) else None
    if application is None:
        for perm in (Perm.ACCEPT, Perm.INTAKE):
            if has_perm(actor, perm):
                application = restrict(queryset, actor, perm).filter(number=number).first()
                if application is not None:
                    break
    if application is None and (has_perm(actor, Perm.APPROVE) or has_perm(actor, Perm.SUPERVISE)):
        from smartgov.services.approval_selectors import staff_application

        try:  # an approver with a step of it in scope, or a supervisor of its department
            application = staff_application(actor, number)
        except NotFound:
            application = None
    if application is None:
        raise NotFound("application_not_found", "No such application, or it is not yours.")
    return application


def receipt(application: Application) -> dict:
    """The receipt (回执): number, item, applicant, time and how each material was met."""
    rows = {r.material_id: r for r in application.materials.all()}
    materials = []
    for material in application.item.materials.order_by("position", "id"):
        row = rows.get(material.pk)
        materials.append(
            {
                "material_id": material.pk,
                "name": material.name,
                "satisfied_by": row.satisfied_by if row else SatisfiedBy.NONE,
                "license_identifier": row.license_identifier if row else "",
                "shared_reference": row.shared_reference if row else "",
                "file_name": row.file_name if row else "",
            }
        )
    return {
        "number": application.number,
        "item": {
            "code": application.item.implementation_code,
            "name": application.item.name,
            "version": application.item.version,
        },
        "applicant": {
            "type": application.applicant_type,
            "name": application.applicant_name,
            "id_masked": application.applicant_id_masked,
        },
        "channel": application.channel,
        "status": application.status,
        "submitted_at": application.submitted_at,
        "materials": materials,
    }
