"""Outcomes on other pages.

For staff (clinicians only: people.view_clinical and outcomes.view_course):
``{% outcomes_section patient %}`` on the patient record, and
``{% next_session_offer note %}`` on a signed session note — the page the practitioner
lands on after signing — with the planner's decision and free times to book.

For the patient portal (only for the patient signed in, ``request.patient``):
``{% due_measures patient %}`` and ``{% progress_summary patient %}`` on its home page.
"""

from django import template
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.outcomes import numbering, offers, planner, presenting, queries, services
from acuclinic.outcomes.report import share_text

register = template.Library()

READ = ("people.view_clinical", "outcomes.view_course")
BOOK = (*READ, "scheduling.add_appointment")


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


def _refreshed_views(context, patient, today):
    """The patient's courses, brought up to date and read once for the whole page.

    A page may show them in two places: the record's summary at the top and its
    outcomes section further down, the portal's measures due and its progress chart.
    Refreshing and reading them for each took a quarter of the busiest record's time.
    Kept in the render context, which lives as long as this page's rendering, and
    refreshed before the first part reads them, so every part says the same thing."""
    key = ("outcomes.refreshed_views", patient.pk, today)
    found = context.render_context.get(key)
    if found is None:
        services.refresh_courses([patient.pk], today=today)
        found = context.render_context[key] = queries.course_views(patient, today=today)
    return found


def _signed_in_patient(context, patient) -> bool:
    """Only the patient signed in to the portal sees their own progress."""
    request = context.get("request")
    own = getattr(request, "patient", None)
    return own is not None and patient is not None and own.pk == patient.pk


@register.simple_tag
def course_session(appointment) -> int | None:
    """The visit's session number in the course (numbering.py): the one count shown on
    the appointment, the diary card, the timeline and the portal."""
    known = getattr(appointment, "course_session", None)
    return known if known is not None else numbering.session_number(appointment)


@register.inclusion_tag("outcomes/_record_summary.html", takes_context=True)
def record_summary(context, patient, upcoming=()):
    """The top of the patient record: the current course and where it stands, the next
    visit (with its session number) and the last pain score. The course and the pain
    score are clinical: clinicians only."""
    user = _user(context)
    clinical = user is not None and user.has_perms(READ)
    next_visit = next((a for a in upcoming if a.is_active), None)
    found = {"next_visit": next_visit, "clinical": clinical, "course": None, "pain": None}
    if next_visit is not None:
        found["next_session"] = course_session(next_visit)
    if clinical:
        views = _refreshed_views(context, patient, timezone.localdate())
        current = next((v for v in reversed(views) if v.course.is_open), None)
        if current is not None:
            found["course"] = current
        notes = [n for v in views for n in v.notes]
        if notes:
            last = max(notes, key=lambda n: (n.day, n.id))
            found["pain"] = {"score": last.pain, "day": last.day}
    return found


@register.inclusion_tag("outcomes/_patient_section.html", takes_context=True)
def outcomes_section(context, patient):
    user = _user(context)
    if user is None or not user.has_perms(READ):
        return {"show": False}
    today = timezone.localdate()
    views = _refreshed_views(context, patient, today)
    latest = views[-1] if views else None
    if latest is not None:
        audit.record(
            AuditAction.VIEW, patient, object_type="outcomes.course", detail="course summary"
        )
    return {
        "show": True,
        "patient": patient,
        "latest": latest,
        "blocks": presenting.chart_blocks(latest, today=today, prefix="record") if latest else [],
        "due": queries.due_for(patient, today=today, views=views),
        "can_record": user.has_perm("outcomes.add_measurement"),
    }


@register.inclusion_tag("outcomes/_note_offer.html", takes_context=True)
def next_session_offer(context, note):
    """After signing: the planner's decision and, when it proposes one, times to book."""
    user = _user(context)
    if user is None or not user.has_perms(BOOK) or note.signed_at is None:
        return {"show": False}
    today = timezone.localdate()
    views = _refreshed_views(context, note.patient, today)
    view = next((v for v in views if queries.in_course(v.course, note.session_date)), None)
    # Only the latest open course looks forward; an older note has nothing to offer.
    if view is None or view is not views[-1] or not view.course.is_open:
        return {"show": False}
    offer = offers.next_session_offer(view, today=today)
    request = context.get("request")
    return {
        "show": offer is not None,
        "offer": offer,
        "view": view,
        "warnings": view.plan.warnings,
        "next": request.get_full_path() if request else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("outcomes/portal/_due_measures.html", takes_context=True)
def due_measures(context, patient):
    """The measures the patient can complete now, for the portal's home page."""
    if not _signed_in_patient(context, patient):
        return {"show": False}
    today = timezone.localdate()
    views = _refreshed_views(context, patient, today)
    due = queries.due_for(patient, today=today, views=views)
    mine = [d for d in due if d.measure.patient_can_complete]
    at_clinic = [d for d in due if not d.measure.patient_can_complete]
    return {"show": True, "mine": mine, "at_clinic": bool(at_clinic)}


@register.inclusion_tag("outcomes/portal/_progress_summary.html", takes_context=True)
def progress_summary(context, patient):
    """The patient's pain so far in a sentence and a small chart, with a link to more."""
    if not _signed_in_patient(context, patient):
        return {"show": False}
    today = timezone.localdate()
    views = _refreshed_views(context, patient, today)
    latest = views[-1] if views else None
    if latest is None or latest.plan.baseline is None:
        return {"show": True, "latest": None}
    return {
        "show": True,
        "latest": latest,
        "block": presenting.block(presenting.pain_chart(latest, today=today, chart_id="home-pain")),
    }


# ── Filters ──────────────────────────────────────────────────────────────────────────


@register.filter
def contact_time(minutes) -> str:
    if minutes is None or minutes == "":
        return "—"
    return planner.hours(round(float(minutes)))


@register.filter
def change_text(points) -> str:
    """3 → "3 points better"; -1 → "1 point worse"; 0 → "no change"."""
    if points is None:
        return ""
    if points == 0:
        return "no change"
    size = abs(points)
    return f"{size} point{'s' if size != 1 else ''} {'better' if points > 0 else 'worse'}"


@register.filter
def share(part, whole) -> str:
    return share_text(part or 0, whole or 0)


@register.filter
def one_place(value) -> str:
    return "—" if value is None else f"{float(value):.1f}"


@register.filter
def lookup(mapping, key):
    return mapping.get(key, [])
