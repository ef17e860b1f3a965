import csv
import datetime
import io

import pytest
import xlsxwriter


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    # Pages enqueue imports for the worker; in tests they run at once, in the request.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def write_xlsx(path, rows, sheet="Sheet1", start_row=0, extra_sheets=None, text_cols=()):
    """rows: list of lists; None leaves a cell empty. datetime.date is written as a real date cell."""
    book = xlsxwriter.Workbook(path)
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, data in [(sheet, rows), *(extra_sheets or [])]:
        ws = book.add_worksheet(name)
        for r, row in enumerate(data, start=start_row):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, datetime.date):
                    ws.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_fmt)
                elif isinstance(value, int | float) and c not in text_cols:
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
    book.close()
    return path


def write_csv(path, rows, encoding="utf-8"):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path
