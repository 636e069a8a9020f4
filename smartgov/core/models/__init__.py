from smartgov.core.models.audit import AuditCheckpoint, AuditHead, AuditRecord
from smartgov.core.models.calendar import CalendarDay, CalendarYear
from smartgov.core.models.org import Department, DepartmentKind, Region, RegionLevel

__all__ = [
    "AuditCheckpoint",
    "AuditHead",
    "AuditRecord",
    "CalendarDay",
    "CalendarYear",
    "Department",
    "DepartmentKind",
    "Region",
    "RegionLevel",
]
