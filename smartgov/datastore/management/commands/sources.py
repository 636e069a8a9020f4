"""``smartgov sources scan [--element CODE]``: compare holders of data elements with their
authoritative sources (一数一源) and record the conflicts."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartgov.catalog.models import DataElement
from smartgov.datastore import sources
from smartgov.datastore.models import ScanTrigger


class Command(BaseCommand):
    help = (
        "One data element, one source. 'scan' compares every holder of every data element "
        "(or of --element CODE) with the element's authoritative source and records the "
        "conflicts; a re-scan updates them and closes those the data resolved."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["scan"])
        parser.add_argument("--element", metavar="CODE", help="only this data element")

    def handle(self, *args, action: str, element: str | None = None, **options):
        if element is not None:
            found = DataElement.objects.filter(code=element).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"No data element has the code {element!r}.")
            ids = [found]
        else:
            ids = list(DataElement.objects.order_by("code").values_list("pk", flat=True))
        if not ids:
            self.stdout.write("No data elements are registered; nothing to compare.")
            return
        for element_id in ids:
            scan = sources.scan_element(
                actor=None, element_id=element_id, trigger=ScanTrigger.COMMAND
            )
            notes = ", ".join(
                note["reason"] + (f" (holder {note['holder_id']})" if note["holder_id"] else "")
                for note in scan.notes
            )
            self.stdout.write(
                f"{scan.element.code}: {scan.holders} holders compared in "
                f"{scan.duration_ms / 1000:.2f} s; {scan.found} conflicts found, "
                f"{scan.created} new, {scan.changed} changed, {scan.resolved} resolved, "
                f"{scan.reopened} reopened" + (f"; {notes}" if notes else "")
            )
