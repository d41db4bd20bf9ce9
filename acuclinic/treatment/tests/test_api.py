"""The treatment record over the JSON API: the same rules as the pages, every bad input a
clear 4xx with nothing written, and nothing clinical for reception."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.clinic.models import Clinic
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing
from acuclinic.testing.api_client import as_user
from acuclinic.treatment import services
from acuclinic.treatment.models import (
    AdverseEvent,
    NeedledPoint,
    NeedleLot,
    NeedleUse,
    SessionNote,
)


@pytest.fixture
def api(prac_user):
    return as_user(prac_user)


POINT = {"code": "BL23", "side": "bilateral", "depth_mm": 25, "retention_minutes": 20}


def test_a_session_is_charted_and_signed_over_the_api(api, visit, lot):
    response = api.post("/session-notes", {"appointment": visit.pk})
    assert response.status_code == 201, response.json()
    note = response.json()
    assert note["patient"]["id"] == visit.patient_id and note["signed_at"] is None
    assert [p["code"] for p in note["to_sign"]] == ["pain_not_recorded", "needles_not_counted"]
    url = f"/session-notes/{note['id']}"

    response = api.post(
        f"{url}/points",
        {
            "points": [
                POINT,
                {"code": "gv 3", "depth_mm": 15, "retention_minutes": 20},
                {
                    "code": "TP-QL",
                    "side": "left",
                    "depth_mm": 40,
                    "retention_minutes": 10,
                    "stimulation": "electro",
                },
            ]
        },
    )
    assert response.status_code == 201, response.json()
    assert [(p["number"], p["code"], p["side"]) for p in response.json()["points"]] == [
        (1, "BL23", "bilateral"),
        (2, "GV3", "midline"),
        (3, "TP-QL", "left"),
    ]
    assert api.post(f"{url}/needles", {"lot": lot.pk, "count": 4}).status_code == 201
    response = api.patch(
        url,
        {
            "pain_before": 6,
            "needles_out": 4,
            "needles_in": 4,
            "aftercare": ["keep-clean"],
            "findings": "Tender QL.",
        },
    )
    assert response.status_code == 200 and response.json()["to_sign"] == []
    response = api.post(f"{url}/sign")
    assert response.status_code == 200
    assert response.json()["signed_at"] is not None
    lot.refresh_from_db()
    assert lot.quantity_in_stock == 496


@pytest.fixture
def signed(visit, lot):
    return testing.signed_note(visit, lot)


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("patch", "", {"plan": "Rewritten"}),
        ("post", "/points", {"points": [POINT]}),
        ("post", "/needles", "lot"),
        ("post", "/sign", None),
    ],
)
def test_a_signed_note_refuses_every_change_over_the_api(api, signed, lot, method, suffix, body):
    if body == "lot":
        body = {"lot": lot.pk, "count": 1}
    before = NeedledPoint.objects.count(), NeedleUse.objects.get().count
    response = getattr(api, method)(f"/session-notes/{signed.pk}{suffix}", body)
    assert response.status_code == 409
    assert response.json()["code"] == "note_signed"
    assert (NeedledPoint.objects.count(), NeedleUse.objects.get().count) == before
    signed.refresh_from_db()
    assert signed.plan == "Review in one week."


def test_removing_a_point_from_a_signed_note_is_refused_over_the_api(api, signed):
    point = signed.points.first()
    response = api.client.delete(
        f"/api/v1/session-notes/{signed.pk}/points/{point.pk}", headers=api.headers
    )
    assert response.status_code == 409 and response.json()["code"] == "note_signed"
    assert NeedledPoint.objects.filter(pk=point.pk).exists()


def test_a_point_is_taken_off_a_draft_over_the_api(api, note):
    (point,) = services.needled_points_add(
        note, [services.PointSpec("BL23", "left", 25, 20)], user=note.practitioner.user
    )
    response = api.client.delete(
        f"/api/v1/session-notes/{note.pk}/points/{point.pk}", headers=api.headers
    )
    assert response.status_code == 204
    assert not NeedledPoint.objects.exists()


def _other_clinic_lot(clinic):
    return testing.needle_lot(Clinic.objects.create(name="Hillside Physio"))


BAD_NOTE_INPUT = [
    ("post", "/points", {"points": [{**POINT, "code": "BL68"}]}, 422, "unknown_point"),
    (
        "post",
        "/points",
        {"points": [{**POINT, "code": "GV3", "side": "left"}]},
        422,
        "invalid_side",
    ),
    (
        "post",
        "/points",
        {"points": [{**POINT, "retention_minutes": 45}]},
        422,
        "retention_too_long",
    ),
    ("post", "/points", {"points": [{**POINT, "depth_mm": -5}]}, 422, "invalid_depth"),
    ("post", "/points", {"points": [{**POINT, "stimulation": "laser"}]}, 422, "invalid"),
    ("post", "/points", {"points": [{**POINT, "colour": "red"}]}, 422, "invalid"),
    ("post", "/points", {"points": []}, 422, "no_points"),
    ("patch", "", {"needles_out": -1}, 422, "negative_count"),
    ("patch", "", {"needles_in": -4}, 422, "negative_count"),
    ("patch", "", {"pain_before": 11}, 422, "invalid_pain_score"),
    ("patch", "", {"aftercare": ["hot-bath"]}, 422, "unknown_aftercare"),
    ("patch", "", {"signed_at": "2026-01-01T10:00:00+00:00"}, 422, "invalid"),
    ("post", "/needles", {"lot": "other-clinic", "count": 3}, 422, "lot_other_clinic"),
    ("post", "/needles", {"lot": "expired", "count": 3}, 409, "lot_expired"),
    ("post", "/needles", {"lot": "recalled", "count": 3}, 409, "lot_recalled"),
    ("post", "/needles", {"lot": "ok", "count": -3}, 422, "negative_count"),
    ("post", "/needles", {"lot": 999999, "count": 3}, 404, "unknown_lot"),
    ("post", "/sign", None, 409, "note_not_ready"),
]


@pytest.mark.parametrize(
    ("method", "suffix", "body", "status", "code"),
    BAD_NOTE_INPUT,
    ids=[f"{c[0]} {c[1] or 'note'} → {c[4]}" for c in BAD_NOTE_INPUT],
)
def test_bad_input_to_a_note_is_a_clear_error_and_writes_nothing(
    api, note, clinic, method, suffix, body, status, code
):
    lots = {
        "ok": lambda: testing.needle_lot(clinic),
        "other-clinic": lambda: _other_clinic_lot(clinic),
        "expired": lambda: testing.needle_lot(
            clinic, expires_on=timezone.localdate() - timedelta(days=1)
        ),
        "recalled": lambda: testing.needle_lot(
            clinic, recalled_at=timezone.now(), recall_reason="Notice"
        ),
    }
    if body and isinstance(body.get("lot"), str):
        body = {**body, "lot": lots[body["lot"]]().pk}
    response = getattr(api, method)(f"/session-notes/{note.pk}{suffix}", body)
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not NeedledPoint.objects.exists() and not NeedleUse.objects.exists()
    assert all(lot.quantity_in_stock == lot.quantity_received for lot in NeedleLot.objects.all())
    note.refresh_from_db()
    assert (note.needles_out, note.pain_before, note.aftercare) == (None, None, [])


def test_a_flagged_point_without_a_reason_is_refused_with_each_problem(api, patient, practitioner):
    visit = testing.ready_visit(patient, practitioner, pregnant="trying")
    note = testing.session_note(visit)
    body = {"points": [{**POINT, "code": "SP6", "side": "left"}]}
    response = api.post(f"/session-notes/{note.pk}/points", body)
    assert response.status_code == 409
    error = response.json()
    assert error["code"] == "safety_override_needed" and error["field"] == "override_reason"
    assert error["problems"][0]["code"] == "SP6"
    assert error["problems"][0]["checks"][0]["code"] == "avoid_point"
    response = api.post(
        f"/session-notes/{note.pk}/points", {**body, "override_reason": "Agreed after discussion."}
    )
    assert response.status_code == 201
    assert response.json()["points"][0]["overridden"] == ["avoid_point"]


def test_no_note_over_the_api_for_a_visit_that_did_not_take_place_or_failed_the_gate(
    api, patient, practitioner
):
    booked = testing.ready_visit(patient, practitioner, status=AppointmentStatus.BOOKED)
    response = api.post("/session-notes", {"appointment": booked.pk})
    assert (response.status_code, response.json()["code"]) == (409, "visit_not_attended")
    ungated = factories.appointment(
        patient=factories.patient(),
        practitioner=practitioner,
        start=testing.today_at(15),
        status=AppointmentStatus.ARRIVED,
    )
    response = api.post("/session-notes", {"appointment": ungated.pk})
    assert (response.status_code, response.json()["code"]) == (409, "needling_not_allowed")
    assert {f["code"] for f in response.json()["failures"]} == {
        "questionnaire_missing",
        "consent_missing",
    }
    assert api.post("/session-notes", {"appointment": 10**12}).status_code == 404
    assert api.post("/session-notes", {"appointment": "12"}).status_code == 422
    assert not SessionNote.objects.exists()


def test_a_note_is_read_with_its_parts_and_the_read_is_audited(api, signed):
    from acuclinic.audit.models import AuditEntry

    response = api.get(f"/session-notes/{signed.pk}")
    assert response.status_code == 200
    body = response.json()
    assert [p["code"] for p in body["needled"]] == ["BL23", "BL25", "GV3", "BL40"]
    assert body["needle_uses"][0]["count"] == 7
    assert body["session_date_display"].endswith(f"{signed.session_date.year}")
    assert AuditEntry.objects.filter(
        action="view", object_type="treatment.sessionnote", detail="session note (API)"
    ).exists()
    listed = api.get("/session-notes", {"patient": signed.patient_id}).json()
    assert listed["count"] == 1 and listed["items"][0]["points"] == 4
    assert api.get("/session-notes/123456789").json()["code"] == "unknown_session_note"


def test_the_catalogue_is_searched_by_code_or_name(api):
    found = api.get("/points", {"q": "bl 23"}).json()
    assert found["items"][0]["code"] == "BL23"
    muscles = api.get("/points", {"kind": "trigger_point", "limit": 200}).json()
    assert muscles["count"] == len(muscles["items"]) > 10
    everything = api.get("/points", {"limit": 1}).json()
    assert everything["count"] > 361 and everything["items"][0]["code"] == "LU1"
    bad = api.get("/points", {"kind": "herb"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_kind")


def test_adverse_events_and_their_follow_up_over_the_api(api, note, admin_user):
    response = api.post(
        f"/session-notes/{note.pk}/adverse-events",
        {"event_type": "fainting", "severity": "serious", "action_taken": "999 called."},
    )
    assert response.status_code == 201
    event = response.json()
    assert event["follow_up"]["closed_at"] is None
    admin = as_user(admin_user)
    assert admin.get("/adverse-events", {"open_follow_up": True}).json()["count"] == 1
    url = f"/adverse-events/{event['id']}/close-follow-up"
    assert admin.post(url, {"outcome": ""}).json()["code"] == "outcome_required"
    assert admin.post(url, {"outcome": "Well next day."}).status_code == 200
    assert admin.post(url, {"outcome": "Again"}).json()["code"] == "follow_up_closed"
    assert admin.get("/adverse-events", {"open_follow_up": True}).json()["count"] == 0
    mild = services.adverse_event_record(
        note,
        event_type="bruising",
        severity="mild",
        severe_or_lasting=False,
        action_taken="None.",
        user=note.practitioner.user,
    )
    response = admin.post(f"/adverse-events/{mild.pk}/close-follow-up", {"outcome": "x"})
    assert (response.status_code, response.json()["code"]) == (422, "no_follow_up")


def test_a_bad_adverse_event_is_refused_over_the_api(api, note):
    for body, code in [
        ({"event_type": "sneeze", "severity": "mild", "action_taken": "x"}, "invalid"),
        (
            {"event_type": "pneumothorax", "severity": "mild", "action_taken": "x"},
            "severity_too_low",
        ),
        ({"event_type": "other", "severity": "mild", "action_taken": "x"}, "description_required"),
    ]:
        response = api.post(f"/session-notes/{note.pk}/adverse-events", body)
        assert response.json()["code"] == code
    assert not AdverseEvent.objects.exists()


def test_an_event_over_the_api_carries_its_significant_marking(api, note):
    url = f"/session-notes/{note.pk}/adverse-events"
    bruise = {"event_type": "bruising", "severity": "mild", "action_taken": "Pressure."}
    refused = api.post(url, bruise)
    assert (refused.status_code, refused.json()["code"]) == (422, "severe_or_lasting_required")
    assert refused.json()["field"] == "severe_or_lasting"
    assert api.post(url, {**bruise, "severe_or_lasting": "yes"}).status_code == 422
    assert not AdverseEvent.objects.exists()
    passing = api.post(url, {**bruise, "severe_or_lasting": False}).json()
    assert (passing["significant"], passing["significant_because"]) == (False, "")
    assert passing["severe_or_lasting"] is False
    lasting = api.post(url, {**bruise, "event_type": "soreness", "severe_or_lasting": True}).json()
    assert (lasting["significant"], lasting["significant_because"]) == (True, "judged")
    faint = api.post(url, {**bruise, "event_type": "fainting"}).json()
    assert (faint["significant"], faint["significant_because"]) == (True, "type")
    assert faint["severe_or_lasting"] is None
    assert faint["significance"] == "Significant: fainting is always counted as significant."
    listed = api.get("/adverse-events").json()["items"]
    assert sorted(e["significant"] for e in listed) == [False, True, True]


def test_the_event_report_over_the_api_pairs_like_with_like(admin_user, signed, prac_user):
    services.adverse_event_record(
        signed,
        event_type="nausea",
        severity="moderate",
        action_taken="Session stopped.",
        user=prac_user,
    )
    admin = as_user(admin_user)
    report = admin.get("/adverse-events/report").json()
    assert (report["sessions"], report["patients"]) == (1, 1)
    assert report["significant_rule"]["types"] == [
        "fainting",
        "retained_needle",
        "infection",
        "pneumothorax",
    ]
    assert report["significant_rule"]["severities"] == ["moderate", "serious"]
    significant = {row["id"]: row for row in report["significant"]}
    every = {row["id"]: row for row in report["every"]}
    row = significant["significant"]
    assert (row["count"], row["denominator"], row["denominator_unit"]) == (1, 1, "sessions")
    assert (row["per_1000"], row["rate"]) == (1000.0, "1,000.0 per 1,000 sessions")
    assert {p["study"] for p in row["published"]} == {"white-2001", "macpherson-2001"}
    white = next(p for p in row["published"] if p["study"] == "white-2001")
    assert (white["count"], white["of"], white["value"]) == (43, 31822, 1.4)
    any_patient = every["any-patient"]
    assert (any_patient["count"], any_patient["denominator"]) == (1, 1)
    assert any_patient["denominator_unit"] == "patients"
    assert {p["study"] for p in any_patient["published"]} == {"macpherson-2004", "witt-2009"}
    york_2004 = next(p for p in any_patient["published"] if p["study"] == "macpherson-2004")
    assert (york_2004["ci_low"], york_2004["ci_high"]) == (100.0, 115.0)
    # Never the 2001 surveys beside a count of every event, nor the reverse.
    assert all(p["counted"] == "every" for r in report["every"] for p in r["published"])
    assert all(p["counted"] == "significant" for r in significant.values() for p in r["published"])
    nausea = next(t for t in report["by_type"] if t["event_type"] == "nausea")
    assert (nausea["events"], nausea["significant"], nausea["per_1000_sessions"]) == (
        1,
        1,
        1000.0,
    )
    bad = admin.get("/adverse-events/report", {"start": "2026-05-01", "end": "2026-04-01"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_period")


def test_lots_are_received_recalled_and_traced_by_an_admin(admin_user, reception_user, signed, lot):
    admin = as_user(admin_user)
    body = {
        "manufacturer": "Northgate Medical",
        "diameter_um": 300,
        "length_mm": 50,
        "lot_number": "NG-API",
        "expires_on": (timezone.localdate() + timedelta(days=300)).isoformat(),
        "quantity": 100,
    }
    response = admin.post("/needle-lots", body)
    assert response.status_code == 201 and response.json()["size"] == "0.30 × 50 mm"
    assert admin.post("/needle-lots", body).json()["code"] == "duplicate_lot"
    expired = {**body, "lot_number": "OLD", "expires_on": timezone.localdate().isoformat()}
    assert admin.post("/needle-lots", expired).json()["code"] == "lot_already_expired"
    negative = {**body, "lot_number": "NEG", "quantity": -5}
    assert admin.post("/needle-lots", negative).json()["code"] == "negative_count"

    response = admin.post(f"/needle-lots/{lot.pk}/recall", {"reason": "Notice FSN-9"})
    assert response.status_code == 200 and response.json()["usable_today"] is False
    sessions = admin.get(f"/needle-lots/{lot.pk}/sessions").json()
    assert [s["patient"]["id"] for s in sessions] == [signed.patient_id]

    reception = as_user(reception_user)
    assert reception.get("/needle-lots").status_code == 200
    assert reception.get(f"/needle-lots/{lot.pk}/sessions").status_code == 403
    assert reception.get(f"/session-notes/{signed.pk}").status_code == 403
