"""The duplicate-id check that the root conftest runs on every page the tests fetch."""

from datetime import date

import pytest
from django import forms
from django.http import HttpResponse

from acuclinic.testing.html_check import (
    BadDateValue,
    DuplicateIds,
    UnboxedTable,
    check_response,
    duplicate_ids,
    tables_without_a_scroll_box,
)


def test_a_repeated_id_is_found_and_a_template_s_inert_copy_is_not():
    html = (
        '<label for="by-clinic">The clinic</label><input id="by-clinic">'
        '<form><input id="by-clinic"></form>'
        '<template><input id="row"></template><input id="row">'
    )
    assert duplicate_ids(html) == ["by-clinic"]


def test_a_page_with_a_repeated_id_fails_and_json_is_not_parsed():
    with pytest.raises(DuplicateIds, match="/x/ repeats the id"):
        check_response(HttpResponse('<p id="a"></p><p id="a"></p>'), "/x/")
    check_response(HttpResponse('{"id": 1}', content_type="application/json"))


def test_a_date_box_filled_as_dd_mm_yyyy_fails_the_page():
    with pytest.raises(BadDateValue, match="ended_on=03/03/2026"):
        check_response(HttpResponse('<input type="date" name="ended_on" value="03/03/2026">'))
    check_response(HttpResponse('<input type="date" name="ended_on" value="2026-03-03">'))


def test_a_plain_django_date_box_is_given_an_iso_value():
    """The clinic's date formats (en_GB with yyyy-mm-dd first): any form's date box shows
    the date it holds, however its widget was declared."""

    class EndForm(forms.Form):
        ended_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    html = str(EndForm(initial={"ended_on": date(2026, 3, 3)})["ended_on"])
    assert 'value="2026-03-03"' in html
    assert EndForm({"ended_on": "03/03/2026"}).is_valid()


def test_a_table_in_the_page_must_sit_in_a_scroll_box():
    """At 1366 px a wide table outside a ``.table-scroll`` box pushes the whole page
    sideways; one inside scrolls alone. Tables outside ``<main>`` (an email's layout) and
    inside a ``<template>`` are not the page's."""
    assert tables_without_a_scroll_box("<main><table><tr><td>1</td></tr></table></main>") == 1
    boxed = '<main><div class="panel table-scroll" tabindex="0"><table></table></div></main>'
    assert tables_without_a_scroll_box(boxed) == 0
    # A box closed before the table does not cover it; a void element does not open one.
    closed = '<main><div class="table-scroll"><br></div><p><table></table></p></main>'
    assert tables_without_a_scroll_box(closed) == 1
    assert tables_without_a_scroll_box("<table></table><main><p>no table</p></main>") == 0
    assert tables_without_a_scroll_box("<main><template><table></table></template></main>") == 0
    with pytest.raises(UnboxedTable, match="/reports/ has 1 table"):
        check_response(HttpResponse("<main><table></table></main>"), "/reports/")
