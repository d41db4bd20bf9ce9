"""Downloads a spreadsheet opens as text: nothing typed into the clinic runs as a formula."""

import csv
import io

from acuclinic.core import spreadsheet


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_cell_that_would_run_as_a_formula_is_written_as_text():
    row = ['=HYPERLINK("http://evil.example","Click")', "+44 7700 900123", "@SUM(A1)", "-A1"]
    (read,) = _read(spreadsheet.csv_line(row))
    assert read == [
        '\'=HYPERLINK("http://evil.example","Click")',
        "'+44 7700 900123",
        "'@SUM(A1)",
        "'-A1",
    ]


def test_numbers_dates_and_ordinary_text_are_left_as_they_are():
    row = ["-10.00", "57.00", "+3", "2026-12-07", "Margaret Okafor", 12, None, ""]
    (read,) = _read(spreadsheet.csv_line(row))
    assert read == ["-10.00", "57.00", "+3", "2026-12-07", "Margaret Okafor", "12", "", ""]


def test_a_tab_or_return_before_a_formula_is_caught_too():
    (read,) = _read(spreadsheet.csv_line(["\t=1+1", "\r=1+1"]))
    assert read == ["'\t=1+1", "'\r=1+1"]


def test_a_whole_file_is_its_lines():
    text = spreadsheet.csv_text([["Name", "Amount"], ["=cmd", "-1.50"]])
    assert _read(text) == [["Name", "Amount"], ["'=cmd", "-1.50"]]
