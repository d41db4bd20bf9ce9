"""CSV that a spreadsheet opens safely: every download the clinic offers is written here.

Names, emails and references come in from outside (the public booking form, a patient's
email, an import). A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) is read by Excel, LibreOffice and Google Sheets as a formula
and run when the file is opened: a name such as ``=HYPERLINK("http://…","Click")``
would become a live link in the clinic's accounts (OWASP's "CSV injection"). Such a
cell is written with a leading apostrophe, which spreadsheets show as text and hide.

A plain number (``-10.00``, a refund in pounds) is left as it is: it cannot run, and the
accountant's import must read it as a number. A phone number's leading ``+`` is kept
the same way as a formula's (a spreadsheet would otherwise read +44… as a number and
drop the plus).
"""

import csv
import io
import re
from collections.abc import Iterable

RUNS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?\Z")


def cell(value):
    """``value`` as a spreadsheet will show it, not run it."""
    if isinstance(value, str) and value.startswith(RUNS) and not PLAIN_NUMBER.match(value):
        return f"'{value}"
    return value


def csv_line(row: Iterable) -> str:
    """One CSV line (with its line ending) of ``row``'s cells, each made safe."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell(value) for value in row])
    return buffer.getvalue()


def csv_text(rows: Iterable[Iterable]) -> str:
    """A whole CSV file of ``rows``."""
    return "".join(csv_line(row) for row in rows)
