"""A computed report as CSV (UTF-8 with BOM, so spreadsheets read the Chinese) or XLSX."""
import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def filename(result, fmt):
    return f"{result['report']}-{result['place']['code']}-{result['from']}-{result['to']}.{fmt}"


def _main_rows(result):
    keys = [c["key"] for c in result["columns"]]
    for row in result["rows"] + [result["total"]]:
        yield [row.get(k) for k in keys]


def _section_rows(section):
    keys = [c["key"] for c in section["columns"]]
    for row in section["rows"]:
        yield [row.get(k) for k in keys]


def to_csv(result):
    """Return the report as CSV bytes: the table, then each section after a blank line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c["label"] for c in result["columns"]])
    writer.writerows(_main_rows(result))
    for section in result.get("sections", []):
        writer.writerow([])
        writer.writerow([section["title"]])
        writer.writerow([c["label"] for c in section["columns"]])
        writer.writerows(_section_rows(section))
    return out.getvalue().encode("utf-8-sig")


def _sheet(sheet, columns, rows, bold_last=False):
    sheet.append([c["label"] for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    if bold_last and sheet.max_row > 1:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = "C2" if len(columns) > 2 else "A2"
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(10, min(40, len(column["label"]) * 2))


def _sheet_title(text):
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return text[:31]


def to_xlsx(result):
    """Return the report as XLSX bytes: one sheet for the table, one per section."""
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(result["title"])
    _sheet(sheet, result["columns"], _main_rows(result), bold_last=True)
    for section in result.get("sections", []):
        _sheet(book.create_sheet(_sheet_title(section["title"])), section["columns"], _section_rows(section))
    book.properties.title = f"{result['title']} {result['place']['name']} {result['from']}–{result['to']}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(result, fmt):
    """Return (bytes, content type) of the report in `fmt` (csv or xlsx)."""
    body = to_csv(result) if fmt == "csv" else to_xlsx(result)
    return body, CONTENT_TYPES[fmt]
