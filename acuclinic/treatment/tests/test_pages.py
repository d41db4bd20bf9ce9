"""The treatment pages: a whole session charted and signed with plain forms (no
JavaScript), refusals shown on the page with nothing written, and clinical content kept
from reception."""

from datetime import datetime, time, timedelta
from html import escape

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.testing import treatment as testing
from acuclinic.treatment import services
from acuclinic.treatment.models import (
    AdverseEvent,
    FollowUp,
    NeedledPoint,
    NeedleLot,
    PointPrescription,
    SessionNote,
    TreatmentPolicy,
)


@pytest.fixture
def prac_client(client, prac_user):
    client.force_login(prac_user)
    return client


def note_url(note, name="treatment_note", *args):
    return reverse(name, args=[note.pk, *args])


def test_a_session_is_charted_and_signed_with_plain_forms(prac_client, visit, lot):
    start = reverse("treatment_note_start", args=[visit.pk])
    page = prac_client.get(start)
    assert "Start the session note" in page.content.decode()
    response = prac_client.post(start)
    note = SessionNote.objects.get(appointment=visit)
    assert response.status_code == 302 and response["Location"] == note_url(note)

    # Search without JavaScript: the note page itself lists ticks for the one note form.
    page = prac_client.get(note_url(note), {"q": "shenshu"})
    assert 'value="BL23" form="note-form"' in page.content.decode()

    # One form: the text, the points and the needles go in one press of a button.
    response = prac_client.post(
        note_url(note, "treatment_note_save"),
        {
            "revision": "0",
            "action": "chart",
            "pain_before": "6",
            "findings": "Tender L4–5.",
            "needles_out": "5",
            "needles_in": "5",
            "aftercare": ["keep-clean", "drowsiness"],
            "plan": "Weekly.",
            "pick": ["BL23"],
            "codes": "bl 25, GV3",
            "side": "bilateral",
            "depth_mm": "25",
            "retention_minutes": "20",
            "stimulation": "manual",
            "lot": lot.pk,
            "count": "5",
        },
    )
    assert response.status_code == 302
    assert [p.code for p in NeedledPoint.objects.order_by("position")] == ["BL23", "BL25", "GV3"]
    note.refresh_from_db()
    assert (note.pain_before, note.findings, note.revision) == (6, "Tender L4–5.", 1)
    page = prac_client.get(note_url(note)).content.decode()
    assert "<svg" in page and "3. GV3 Shenting" not in page
    assert "3. GV3 Yaoyangguan (midline, back)" in page
    assert "1. BL23 Shenshu (patient&#x27;s left, back)" in page

    response = prac_client.post(
        note_url(note, "treatment_note_save"),
        {
            "revision": "1",
            "action": "sign",
            "pain_before": "6",
            "findings": "Tender L4–5.",
            "needles_out": "5",
            "needles_in": "5",
            "aftercare": ["keep-clean", "drowsiness"],
            "plan": "Weekly.",
        },
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.is_signed
    page = prac_client.get(note_url(note)).content.decode()
    assert "Signed by" in page and "Add addendum" in page and "Chart these points" not in page


TEXT = {"pain_before": "7", "findings": "Tight quadratus lumborum, left.", "plan": "Weekly."}


def test_a_refused_point_keeps_every_word_typed_and_the_text_is_saved(prac_client, note):
    data = {**TEXT, "revision": "0", "action": "chart", "codes": "BL99, GV3"}
    data |= {"side": "bilateral", "depth_mm": "25", "retention_minutes": "20"}
    data |= {"stimulation": "manual", "count": "4"}
    response = prac_client.post(note_url(note, "treatment_note_save"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "“BL99” is not a point" in page
    assert "Tight quadratus lumborum, left.</textarea>" in page
    assert 'value="BL99, GV3"' in page and 'name="count" value="4"' in page
    note.refresh_from_db()
    assert note.findings == "Tight quadratus lumborum, left." and note.pain_before == 7
    assert not NeedledPoint.objects.exists()


def test_a_second_tab_saving_an_older_copy_is_told_the_draft_changed(prac_client, note):
    url = note_url(note, "treatment_note_save")
    assert prac_client.post(url, {**TEXT, "revision": "0"}).status_code == 302
    stale = {**TEXT, "revision": "0", "findings": "Written in the other tab."}
    response = prac_client.post(url, stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "This draft was changed at" in page and "in another tab" in page
    assert "Written in the other tab.</textarea>" in page
    assert "The saved version of this draft" in page
    note.refresh_from_db()
    assert note.findings == TEXT["findings"] and note.revision == 1
    # Told, the practitioner saves again from the revision the page now holds.
    assert prac_client.post(url, {**stale, "revision": "1"}).status_code == 302
    note.refresh_from_db()
    assert note.findings == "Written in the other tab." and note.revision == 2


def test_the_text_is_saved_as_it_is_typed_and_a_stale_autosave_writes_nothing(prac_client, note):
    url = note_url(note, "treatment_note_autosave")
    answer = prac_client.post(url, {**TEXT, "revision": "0"})
    assert answer.status_code == 200
    assert answer.json()["revision"] == 1 and answer.json()["message"].startswith("Saved ")
    stale = prac_client.post(url, {**TEXT, "revision": "0", "plan": "Other tab."})
    assert stale.status_code == 409 and stale.json()["code"] == "draft_changed"
    bad = prac_client.post(url, {**TEXT, "revision": "1", "pain_before": "eleven"})
    assert bad.status_code == 400 and bad.json()["field"] == "pain_before"
    note.refresh_from_db()
    assert note.plan == "Weekly." and note.revision == 1


def test_the_printed_note_uses_the_print_stylesheet_and_carries_the_signature_line(
    prac_client, visit, lot
):
    note = testing.signed_note(visit, lot)
    page = prac_client.get(note_url(note)).content.decode()
    assert "treatment/treatment.css" in page
    assert 'class="signature print-only"' in page
    stylesheet = services.__file__.rsplit("/", 1)[0] + "/static/treatment/treatment.css"
    with open(stylesheet) as css:
        assert "@media print" in css.read()


def test_reading_a_note_is_audited(prac_client, note):
    prac_client.get(note_url(note))
    entry = AuditEntry.objects.get(action="view", object_type="treatment.sessionnote")
    assert entry.patient_id == note.patient_id and entry.detail == "session note"


def test_a_point_that_meets_a_flag_is_shown_back_with_the_reason_field_and_nothing_written(
    client, patient, practitioner, prac_user
):
    visit = testing.ready_visit(patient, practitioner, pregnant="trying")
    note = testing.session_note(visit)
    client.force_login(prac_user)
    data = {
        "codes": "SP6",
        "side": "left",
        "depth_mm": "20",
        "retention_minutes": "20",
        "stimulation": "manual",
    }
    response = client.post(note_url(note, "treatment_note_points"), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "SP6 is on this patient&#x27;s list of points to avoid." in page
    assert "Reason for needling despite a safety flag" in page
    assert not NeedledPoint.objects.exists()
    data["override_reason"] = "Negative pregnancy test today; agreed after discussion."
    assert client.post(note_url(note, "treatment_note_points"), data).status_code == 302
    page = client.get(note_url(note)).content.decode()
    assert "Needled despite:</strong> a point to avoid" in page


@pytest.mark.parametrize(
    ("data", "message", "status"),
    [
        ({"codes": "BL99"}, "“BL99” is not a point", 422),
        ({"codes": "GV3", "side": "left"}, None, 302),
        ({"codes": "BL23", "retention_minutes": "90"}, "at most 40 minutes", 422),
        ({"codes": "BL23", "depth_mm": "deep"}, "Enter a whole number", 400),
        ({"codes": ""}, "Give at least one code", 400),
    ],
)
def test_bad_points_typed_into_the_form_get_a_clear_error(prac_client, note, data, message, status):
    values = {
        "side": "bilateral",
        "depth_mm": "20",
        "retention_minutes": "20",
        "stimulation": "manual",
    }
    values.update(data)
    response = prac_client.post(note_url(note, "treatment_note_points"), values)
    assert response.status_code == status
    if message:
        assert message in response.content.decode()
        assert not NeedledPoint.objects.exists()


def test_needles_from_an_expired_lot_are_refused_on_the_page(prac_client, note, clinic):
    expired = testing.needle_lot(clinic, expires_on=timezone.localdate() - timedelta(days=1))
    response = prac_client.post(
        note_url(note, "treatment_note_needles"), {"lot": expired.pk, "count": "3"}
    )
    assert response.status_code == 409
    assert "do not use these needles" in response.content.decode()
    expired.refresh_from_db()
    assert expired.quantity_in_stock == 500


def test_a_negative_count_is_refused_on_the_page(prac_client, note):
    response = prac_client.post(
        note_url(note, "treatment_note_details"), {"needles_out": "-2", "needles_in": "0"}
    )
    assert response.status_code == 422
    assert "cannot be negative" in response.content.decode()


def test_signing_an_incomplete_note_lists_what_is_missing(prac_client, note):
    response = prac_client.post(note_url(note, "treatment_note_sign"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "The note cannot be signed yet" in page
    assert "Record the pain score before treatment." in page


@pytest.mark.parametrize(
    ("name", "extra", "data"),
    [
        ("treatment_note_details", (), {"plan": "Rewritten"}),
        (
            "treatment_note_points",
            (),
            {
                "codes": "ST36",
                "side": "left",
                "depth_mm": "20",
                "retention_minutes": "20",
                "stimulation": "manual",
            },
        ),
        ("treatment_note_prefill", (), {"source": "last"}),
        ("treatment_note_sign", (), {}),
    ],
)
def test_a_signed_note_cannot_be_changed_through_its_forms(
    prac_client, visit, lot, name, extra, data
):
    note = testing.signed_note(visit, lot)
    response = prac_client.post(note_url(note, name, *extra), data)
    assert response.status_code == 409
    assert "cannot be changed. Add a dated addendum" in response.content.decode()
    note.refresh_from_db()
    assert note.plan == "Review in one week."
    assert NeedledPoint.objects.filter(note=note).count() == 4


def test_removing_a_point_from_a_signed_note_is_refused(prac_client, visit, lot):
    note = testing.signed_note(visit, lot)
    point = note.points.first()
    response = prac_client.post(note_url(note, "treatment_note_point_remove", point.pk))
    assert response.status_code == 409
    assert NeedledPoint.objects.filter(pk=point.pk).exists()


def test_an_addendum_and_an_adverse_event_are_added_to_a_signed_note(prac_client, visit, lot):
    note = testing.signed_note(visit, lot)
    assert (
        prac_client.post(
            note_url(note, "treatment_note_addendum"), {"text": "Phoned: fine."}
        ).status_code
        == 302
    )
    response = prac_client.post(
        note_url(note, "treatment_note_adverse_event"),
        {"event_type": "fainting", "severity": "serious", "action_taken": "Ambulance called."},
    )
    assert response.status_code == 302
    assert FollowUp.objects.get().is_open
    page = prac_client.get(note_url(note)).content.decode()
    assert "Phoned: fine." in page and "Follow-up open" in page


def test_an_adverse_event_without_its_action_is_refused_on_the_page(prac_client, note):
    response = prac_client.post(
        note_url(note, "treatment_note_adverse_event"),
        {"event_type": "other", "severity": "mild", "description": "", "action_taken": "x"},
    )
    assert response.status_code == 422
    assert "Describe what happened." in response.content.decode()
    assert not AdverseEvent.objects.exists()


def test_the_note_page_asks_whether_an_event_was_severe_and_marks_it(prac_client, note):
    url = note_url(note, "treatment_note_adverse_event")
    page = prac_client.get(note_url(note)).content.decode()
    assert "<legend>Was it severe, unusual or lasting?</legend>" in page
    assert "An event counts as significant if its type is fainting" in page
    # A mild bruise: only the practitioner can say whether it was more than passing.
    unanswered = {"event_type": "bruising", "severity": "mild", "action_taken": "Pressure."}
    response = prac_client.post(url, unanswered)
    assert response.status_code == 422
    assert "Say whether it was severe, unusual or lasting" in response.content.decode()
    assert not AdverseEvent.objects.exists()
    assert prac_client.post(url, {**unanswered, "severe_or_lasting": "no"}).status_code == 302
    lasting = {
        "event_type": "worsened_symptoms",
        "severity": "mild",
        "severe_or_lasting": "yes",
        "description": "Back pain worse for three days.",
        "action_taken": "Lighter treatment next time.",
    }
    assert prac_client.post(url, lasting).status_code == 302
    # A faint is significant whatever the answer: none is needed.
    fainted = {"event_type": "fainting", "severity": "mild", "action_taken": "Laid flat."}
    assert prac_client.post(url, fainted).status_code == 302
    page = prac_client.get(note_url(note)).content.decode()
    assert page.count('<span class="tag significant">Significant</span>') == 2
    assert "Significant: judged severe, unusual or lasting." in page
    assert "Significant: fainting is always counted as significant." in page
    assert "Not significant: a usual, passing reaction." in page
    answers = dict(AdverseEvent.objects.values_list("event_type", "severe_or_lasting"))
    assert answers == {"bruising": False, "worsened_symptoms": True, "fainting": None}


def test_same_as_last_time_and_a_saved_prescription_from_the_page(
    prac_client, patient, practitioner, prac_user, lot
):
    testing.signed_note(testing.ready_visit(patient, practitioner, hour=8), lot)
    note = testing.session_note(testing.ready_visit(patient, practitioner, hour=10))
    page = prac_client.get(note_url(note)).content.decode()
    assert "Same as last time" in page
    prac_client.post(note_url(note, "treatment_note_prefill"), {"source": "last"})
    assert NeedledPoint.objects.filter(note=note).count() == 4
    prac_client.post(
        reverse("treatment_prescriptions"),
        {
            "name": "Neck",
            "codes": "GB20 GB21",
            "side": "bilateral",
            "depth_mm": "15",
            "retention_minutes": "20",
            "stimulation": "manual",
        },
    )
    prescription = PointPrescription.objects.get(name="Neck")
    prac_client.post(note_url(note, "treatment_note_prefill"), {"source": str(prescription.pk)})
    assert NeedledPoint.objects.filter(note=note).count() == 6


def test_the_appointment_page_links_to_the_note_for_clinicians_only(
    client, visit, prac_user, reception_user
):
    url = reverse("appointment_detail", args=[visit.pk])
    client.force_login(prac_user)
    assert "Write the session note" in client.get(url).content.decode()
    note = testing.session_note(visit)
    assert note_url(note) in client.get(url).content.decode()
    client.force_login(reception_user)
    page = client.get(url).content.decode()
    assert "Session note" not in page and note_url(note) not in page


def test_the_patient_record_lists_sessions_for_clinicians_only(
    client, visit, lot, prac_user, reception_user, patient
):
    note = testing.signed_note(visit, lot)
    url = reverse("patient_detail", args=[patient.pk])
    client.force_login(prac_user)
    page = client.get(url).content.decode()
    assert 'id="treatment-h"' in page and note_url(note) in page
    assert AuditEntry.objects.filter(detail="treatment history", patient_id=patient.pk).exists()
    client.force_login(reception_user)
    page = client.get(url).content.decode()
    assert 'id="treatment-h"' not in page and note_url(note) not in page


def test_the_point_search_works_as_a_page_and_as_an_htmx_fragment(prac_client):
    page = prac_client.get(reverse("treatment_points"), {"q": "piriformis"})
    assert "TP-PIRI" in page.content.decode() and "<html" in page.content.decode()
    fragment = prac_client.get(
        reverse("treatment_points"), {"q": "bl 23"}, headers={"HX-Request": "true"}
    )
    assert "BL23" in fragment.content.decode() and "<html" not in fragment.content.decode()


def test_a_lot_is_received_recalled_and_traced_from_the_pages(
    client, admin_user, reception_user, visit, lot
):
    testing.signed_note(visit, lot)
    client.force_login(admin_user)
    response = client.post(
        reverse("treatment_lot_new"),
        {
            "manufacturer": "Northgate Medical",
            "diameter_mm": "0.30",
            "length_mm": "50",
            "lot_number": "NG-7",
            "expires_on": (timezone.localdate() + timedelta(days=400)).isoformat(),
            "received_on": timezone.localdate().isoformat(),
            "quantity": "200",
        },
    )
    new = NeedleLot.objects.get(lot_number="NG-7")
    assert response.status_code == 302 and new.diameter_um == 300
    client.post(reverse("treatment_lot_recall", args=[lot.pk]), {"reason": "Notice FSN-1"})
    page = client.get(reverse("treatment_lot", args=[lot.pk])).content.decode()
    assert "Recalled on" in page and escape(visit.patient.full_name) in page
    client.force_login(reception_user)
    page = client.get(reverse("treatment_lot", args=[lot.pk])).content.decode()
    assert "Recalled on" in page and visit.patient.full_name not in page


def test_an_expired_delivery_is_refused_on_the_page(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("treatment_lot_new"),
        {
            "manufacturer": "Northgate Medical",
            "diameter_mm": "0.25",
            "length_mm": "30",
            "lot_number": "OLD-1",
            "expires_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "received_on": timezone.localdate().isoformat(),
            "quantity": "100",
        },
    )
    assert response.status_code == 422
    assert "do not take them into stock" in response.content.decode()
    assert not NeedleLot.objects.exists()


def test_an_admin_closes_a_follow_up_from_the_adverse_events_page(
    client, admin_user, note, prac_user
):
    event = services.adverse_event_record(
        note, event_type="fainting", severity="serious", action_taken="999.", user=prac_user
    )
    client.force_login(admin_user)
    page = client.get(reverse("treatment_adverse_events")).content.decode()
    assert "Close the follow-up" in page
    assert '<span class="tag significant">Significant</span>' in page
    assert "Significant: fainting is always counted as significant." in page
    url = reverse("treatment_follow_up_close", args=[event.follow_up.pk])
    assert client.post(url, {"outcome": ""}).status_code == 400
    assert client.post(url, {"outcome": "Well the next day."}).status_code == 302
    assert not FollowUp.objects.get().is_open


def _report_rows(page: str) -> dict[str, str]:
    """The report's rows by id (row-significant, row-any-patient…), as HTML."""
    rows = {}
    for chunk in page.split('<tr id="row-')[1:]:
        key, _, rest = chunk.partition('"')
        rows[key] = rest.split("</tr>", 1)[0]
    return rows


def test_the_report_sets_each_survey_beside_what_it_counted(
    client, admin_user, visit, lot, prac_user
):
    signed = testing.signed_note(visit, lot)
    services.adverse_event_record(
        signed,
        event_type="bruising",
        severity="mild",
        severe_or_lasting=False,
        action_taken="Pressure.",
        user=prac_user,
    )
    services.adverse_event_record(
        signed, event_type="fainting", severity="mild", action_taken="Laid flat.", user=prac_user
    )
    client.force_login(admin_user)
    page = client.get(reverse("treatment_report")).content.decode()
    assert "1 signed session for 1 patient" in page
    rows = _report_rows(page)
    # The 2001 surveys sit beside the significant events, and only there.
    for key in ("significant", "serious"):
        assert "White et al. 2001" in rows[key] and "MacPherson et al. 2001" in rows[key]
    assert "1 event in 1 session" in rows["significant"]
    assert "1,000.0 per 1,000 sessions" in rows["significant"]
    assert "43 significant minor events in 31,822 consultations" in rows["significant"]
    assert "1.4 per 1,000 consultations" in rows["significant"]
    assert "0.11)" in rows["serious"]  # MacPherson's interval, per 1,000 as stated
    others = [html for key, html in rows.items() if key not in ("significant", "serious")]
    assert others and not any("et al. 2001" in html for html in others)
    # Every event: per session, and per patient beside MacPherson 2004 and Witt 2009.
    assert "1 of 1 sessions" in rows["any-session"]
    assert "No study here gives this figure." in rows["any-session"]
    assert "1 of 1 patients" in rows["any-patient"]
    assert (
        "MacPherson et al. 2004" in rows["any-patient"]
        and "Witt et al. 2009" in rows["any-patient"]
    )
    assert "(95% CI 100 to 115)" in rows["any-patient"]
    assert "per 1,000 patients over 3 months" in rows["any-patient"]
    assert "MacPherson and Thomas 2005" in rows["needle-site"]
    # The definitions, and the rule with its source.
    assert "York acupuncture safety study" in page
    assert escape("“unusual, novel, dangerous, significantly inconvenient") in page
    bad = client.get(reverse("treatment_report"), {"start": "2026-05-01", "end": "2026-04-01"})
    assert bad.status_code == 400


def test_the_clinic_sets_the_longest_retention_on_the_settings_page(client, admin_user, clinic):
    client.force_login(admin_user)
    response = client.post(
        reverse("treatment_policy"),
        {"max_retention_minutes": "30", "lot_expiry_warning_days": "90"},
    )
    assert response.status_code == 302
    assert TreatmentPolicy.objects.get(clinic=clinic).max_retention_minutes == 30
    bad = client.post(
        reverse("treatment_policy"),
        {"max_retention_minutes": "500", "lot_expiry_warning_days": "90"},
    )
    assert bad.status_code == 400


def test_the_treatment_menu_shows_reception_stock_but_no_clinical_content(
    client, reception_user, note, prac_user, clinic
):
    services.adverse_event_record(
        note, event_type="fainting", severity="serious", action_taken="999.", user=prac_user
    )
    testing.needle_lot(clinic, expires_on=timezone.localdate() + timedelta(days=10))
    client.force_login(reception_user)
    page = client.get(reverse("treatment_home")).content.decode()
    assert "expire soon" in page
    assert "Open follow-ups" not in page and note.patient.full_name not in page


@time_machine.travel(
    timezone.make_aware(datetime.combine(timezone.localdate(), time(12))), tick=True
)
def test_depth_retention_and_stimulation_default_per_point_from_the_last_session(
    client, patient, practitioner, lot
):
    prac_client = client
    prac_client.force_login(practitioner.user)  # at the travelled-to time
    testing.signed_note(testing.ready_visit(patient, practitioner, hour=9), lot)
    note = testing.session_note(testing.ready_visit(patient, practitioner, hour=11))
    url = note_url(note, "treatment_note_save")
    chart = {"revision": "0", "action": "chart", "side": "bilateral", "stimulation": ""}
    # Left empty, each point takes its own settings from last time: BL23 25 mm, BL40 15 mm.
    first = prac_client.post(url, {**chart, "codes": "BL23, BL40"})
    assert first.status_code == 302, first.content.decode()[-3000:]
    points = NeedledPoint.objects.filter(note=note)
    charted = {p.code: (p.depth_mm, p.retention_minutes) for p in points}
    assert charted == {"BL23": (25, 20), "BL40": (15, 20)}
    # A number given applies to every point.
    data = {**chart, "revision": "0", "codes": "BL25", "depth_mm": "30"}
    assert prac_client.post(url, data).status_code == 302
    assert points.get(code="BL25").depth_mm == 30
    # A point not needled before needs its depth.
    response = prac_client.post(url, {**chart, "revision": "0", "codes": "ST36"})
    assert response.status_code == 422
    assert "ST36: depth is a whole number of millimetres" in response.content.decode()
