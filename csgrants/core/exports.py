"""Cells written to CSV and XLSX files that people open in a spreadsheet (issue 20, item 7).

A text cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before reading one of those) is read as a formula: a provider's or an
enterprise's typed name could run in the analyst's Excel (CSV injection, OWASP). Every export
writes its cells through this module, which prefixes such text with `'` so that it stays text.
Numbers stay numbers: numeric values are left alone, and so is text that is just a number
("-1250.00"), which no spreadsheet runs.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """The value to write into a cell: text a spreadsheet would read as a formula gets a leading
    `'`; anything else (numbers, dates, None, other text) is returned unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


class _Writer:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _DictWriter:
    def __init__(self, writer: csv.DictWriter):
        self._writer = writer

    def writeheader(self):
        return self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]):
        return self._writer.writerow({k: neutralise(v) for k, v in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: io.StringIO, **kwargs) -> _Writer:
    """csv.writer whose every cell goes through `neutralise`."""
    return _Writer(csv.writer(out, **kwargs))


def csv_dict_writer(out: io.StringIO, fieldnames, **kwargs) -> _DictWriter:
    """csv.DictWriter whose every cell goes through `neutralise`."""
    return _DictWriter(csv.DictWriter(out, fieldnames=fieldnames, **kwargs))


def xlsx_bytes(workbook) -> bytes:
    """The workbook as an .xlsx file, every text cell through `neutralise` first (openpyxl
    stores a text starting with `=` as a live formula). No export writes formulas on purpose."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    safe = neutralise(cell.value)
                    if safe is not cell.value:
                        cell.value = safe
                        cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
