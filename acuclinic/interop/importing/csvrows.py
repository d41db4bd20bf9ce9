"""A CSV export read into rows of our fields, every problem named by line (no Django).

Decoding, headings, dates and coded values are checked here; what needs the database
(matching existing patients) is in patients.py.
"""

import csv
import io
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

MAPPINGS_FILE = Path(__file__).resolve().parent.parent / "data" / "import_mappings.toml"
MAX_BYTES = 100 * 1024 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class Row:
    line: int  # the line in the file (the heading is line 1)
    values: dict[str, object] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@cache
def mappings() -> dict:
    with MAPPINGS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def mapping(system: str, kind: str) -> dict:
    try:
        return mappings()[system][kind]
    except KeyError:
        known = ", ".join(
            f"{s} {k}" for s, kinds in sorted(mappings().items()) for k in sorted(kinds)
        )
        raise ImportFileError(f"No mapping for “{system} {kind}”. Known: {known}.") from None


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"The file is over {MAX_BYTES // (1024 * 1024)} MB: split it.")
    if b"\x00" in data[:65536]:
        raise ImportFileError("This is not a CSV text file (it holds binary data).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). Export it "
            "again as “CSV UTF-8”, or save it as UTF-8 in a spreadsheet program."
        ) from exc


def read_rows(data: bytes, system: str, kind: str) -> list[Row]:
    """Every data row of the file, mapped; file-wide problems raise ImportFileError."""
    spec = mapping(system, kind)
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        heading = next(reader, None)
        if not heading:
            raise ImportFileError("The file is empty: it has no heading row.")
        index = {h.strip().lower(): i for i, h in enumerate(heading)}
        columns: dict[str, str] = spec["columns"]
        missing = [columns[f] for f in spec["required"] if columns[f].strip().lower() not in index]
        if missing:
            raise ImportFileError(
                f"The heading row lacks the column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(m) for m in missing)} that a {system} {kind} export has. "
                f"Is this a {system} {kind} file?"
            )
        where = {f: index.get(h.strip().lower()) for f, h in columns.items()}
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            rows.append(_row(number, cells, where, spec))
    except csv.Error as exc:
        raise ImportFileError(f"This is not a readable CSV file: {exc}.") from exc
    return rows


def _row(number: int, cells: list[str], where: dict, spec: dict) -> Row:
    row = Row(number)
    for name, i in where.items():
        raw = cells[i].strip() if i is not None and i < len(cells) else ""
        if not raw and name in spec["required"]:
            row.errors.append(f"{spec['columns'][name]} is empty.")
            continue
        if name in spec.get("values", {}):
            table = spec["values"][name]
            if raw.lower() not in table:
                row.errors.append(
                    f"{spec['columns'][name]} “{raw}” is not one of: "
                    + ", ".join(repr(v) for v in table if v)
                    + "."
                )
                continue
            row.values[name] = table[raw.lower()]
        elif name in spec.get("datetime_fields", ()) and raw:
            try:
                row.values[name] = datetime.strptime(raw, spec["datetime_format"])
            except ValueError:
                example = datetime(2026, 3, 3, 10, 0).strftime(spec["datetime_format"])
                row.errors.append(
                    f"{spec['columns'][name]} “{raw}” is not a date and time like {example}."
                )
        elif name in spec.get("date_fields", ("date_of_birth",)) and raw:
            parsed = parse_date(raw, spec["date_format"])
            if parsed is None:
                example = date(1980, 3, 1).strftime(spec["date_format"])
                row.errors.append(f"{spec['columns'][name]} “{raw}” is not a date like {example}.")
                continue
            row.values[name] = parsed
        else:
            row.values[name] = raw
    return row


def parse_date(raw: str, fmt: str) -> date | None:
    try:
        return datetime.strptime(raw, fmt).date()
    except ValueError:
        return None
