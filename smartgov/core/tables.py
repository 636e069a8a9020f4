"""A report table (a header line, rows, a total line) as a CSV or XLSX download.

Used by the governance KPIs and the service statistics: the same layout, so the same writer.
"""

from __future__ import annotations

import csv
import io


def table_csv(lines: list[list]) -> bytes:
    """The lines as CSV (UTF-8 with BOM so that spreadsheet programs read the Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in lines:
        writer.writerow(["" if value is None else value for value in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(lines: list[list], *, title: str, caption: str, first_width: int) -> bytes:
    """One sheet: the caption (e.g. the period) above the lines; header and total in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([caption])
    for line in lines:
        sheet.append(line)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = first_width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
