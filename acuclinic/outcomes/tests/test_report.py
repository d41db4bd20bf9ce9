"""The clinic outcomes report as staff see it: a page with charts and tables by
condition, practitioner and modality for courses started in a period, and its CSV."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.clinic.models import Service
from acuclinic.outcomes import services
from acuclinic.testing import factories

TODAY = timezone.localdate


@pytest.fixture
def clinic_courses(clinic, practitioner, low_back):
    """Three courses started in the last eight weeks, one long before.

    - the low-back patient with ``practitioner`` (medical): 7, 6, 5, 4 — reaches the MCID
      at session 3;
    - a whiplash patient with Ann Tran (traditional): 8, 8, 8, 8, 8, 8 — a non-responder;
    - a sciatica patient with ``practitioner``: 7, 5, 4, 4, 3, 6 — MCID at session 2,
      then a relapse;
    - a course from two years ago, outside any period asked for below.
    """
    ann = factories.practitioner("ann", qualified_traditional=True)
    ann.user.first_name, ann.user.last_name = "Ann", "Tran"
    ann.user.save()
    traditional = Service.objects.get(name="Traditional acupuncture")
    start = TODAY() - timedelta(weeks=5)
    factories.weekly_sessions(low_back, practitioner, [7, 6, 5, 4], first_day=start)
    whiplash = factories.patient(family_name="Whitlock")
    factories.clinical_summary(whiplash, by=ann.user, presenting_condition="whiplash")
    factories.weekly_sessions(
        whiplash, ann, [8] * 6, first_day=start - timedelta(weeks=1), service=traditional, hour=12
    )
    sciatica = factories.patient(family_name="Sciaron")
    factories.clinical_summary(sciatica, by=practitioner.user, presenting_condition="sciatica")
    factories.weekly_sessions(
        sciatica, practitioner, [7, 5, 4, 4, 3, 6], first_day=start - timedelta(weeks=1), hour=14
    )
    old = factories.patient(family_name="Oldham")
    factories.weekly_sessions(old, practitioner, [9, 2], first_day=TODAY() - timedelta(days=730))
    for patient in (low_back, whiplash, sciatica, old):
        services.course_refresh(patient)
    return {"ann": ann}


def _period(weeks=8):
    return {"start": (TODAY() - timedelta(weeks=weeks)).isoformat(), "end": TODAY().isoformat()}


def test_the_page_charts_and_tabulates_who_reached_the_mcid_by_each_breakdown(
    client, admin_user, clinic_courses
):
    client.force_login(admin_user)
    response = client.get("/outcomes/", _period())
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 courses started from" in page
    for key in ("condition", "practitioner", "modality"):
        assert f'aria-labelledby="reached-by-{key}-title reached-by-{key}-desc"' in page
        assert f'<h2 id="by-{key}">' in page
    # Each chart says its bars in words, for a screen reader and a black-and-white print.
    assert "Chronic low back pain: 100% (1 of 1)" in page
    assert "Whiplash: 0% (0 of 1)" in page
    assert "Ann Tran: 0% (0 of 1)" in page
    assert 'aria-labelledby="by-session-title by-session-desc"' in page
    assert "Session 2: 50% (1 of 2)" in page and "Session 3: 50% (1 of 2)" in page
    # The overall row: two of three reached it, one relapsed, one did not respond.
    total = page.split('<tr class="total">')[1].split("</tr>")[0]
    cells = re.findall(r"<td>(.*?)</td>", total)
    assert cells[0] == "3"
    assert cells[1] == "67% (2 of 3)"
    assert cells[2] == "2.5"  # sessions 3 and 2
    assert cells[4] == "1 (1)"
    assert cells[5] == "33% (1 of 3)"


def test_the_csv_has_a_row_for_every_group_of_every_breakdown(
    client, practitioner_user, practitioner, clinic_courses
):
    client.force_login(practitioner_user)
    response = client.get("/outcomes/report.csv", _period())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="outcomes-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by = {(r["breakdown"], r["group"]): r for r in rows}
    assert set(by) == {
        ("all", "All courses"),
        ("condition", "Chronic low back pain"),
        ("condition", "Sciatica"),
        ("condition", "Whiplash"),
        ("practitioner", practitioner.name),
        ("practitioner", "Ann Tran"),
        ("modality", "Medical (western) acupuncture"),
        ("modality", "Traditional acupuncture"),
    }
    mine = by[("practitioner", practitioner.name)]
    assert (mine["courses"], mine["reached_mcid"], mine["relapses"]) == ("2", "2", "1")
    assert mine["reached_mcid_percent"] == "100.00"
    assert by[("modality", "Traditional acupuncture")]["non_responders"] == "1"
    assert by[("all", "All courses")]["mean_sessions"] == "5.33"  # (4 + 6 + 6) / 3


def test_a_period_before_any_course_reports_none(client, admin_user, clinic_courses):
    client.force_login(admin_user)
    far = {"start": "2020-01-01", "end": "2020-12-31"}
    page = client.get("/outcomes/", far).content.decode()
    assert "0 courses started from" in page
    assert "No courses in this period." in page
    rows = list(csv.reader(io.StringIO(client.get("/outcomes/report.csv", far).content.decode())))
    assert rows[1][:3] == ["all", "All courses", "0"]


def test_a_name_that_starts_like_a_formula_stays_text_in_the_csv(
    client, admin_user, clinic_courses
):
    ann = clinic_courses["ann"]
    ann.user.first_name = "=HYPERLINK(1)"
    ann.user.save()
    client.force_login(admin_user)
    text = client.get("/outcomes/report.csv", _period()).content.decode()
    assert "'=HYPERLINK(1) Tran" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-05-01", "end": "2026-04-01"},
        {"start": "yesterday", "end": "2026-04-01"},
        {"start": "2026-04-01"},
    ],
)
def test_a_period_that_cannot_be_read_is_named_on_the_page_and_refused_as_csv(
    client, admin_user, query
):
    client.force_login(admin_user)
    page = client.get("/outcomes/", query)
    assert page.status_code == 400
    assert 'class="field-error"' in page.content.decode()
    download = client.get("/outcomes/report.csv", query)
    assert download.status_code == 400
    assert "Give the period as start=YYYY-MM-DD&end=YYYY-MM-DD" in download.content.decode()


def test_reception_cannot_open_the_report_or_its_csv(client, reception_user):
    client.force_login(reception_user)
    assert client.get("/outcomes/").status_code == 403
    assert client.get("/outcomes/report.csv").status_code == 403
