"""Treatment pages: parse the request, call one service, render. No rule lives here.

The session note is one page and one form (note_save): whichever button is pressed, the
text and every part filled in are kept, so it works without JavaScript; with it, the text
is also saved as it is typed (note_autosave). The per-part addresses (details, points,
needles, sign…) still answer a post of that part alone. A refused step shows the page
again with the error where it belongs and everything typed still in its fields.
"""

import math
from datetime import timedelta
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, PageNotAnInteger, Paginator
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core import spreadsheet
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.safety.services import needling_gate
from acuclinic.scheduling.models import Appointment
from acuclinic.treatment import catalogue, chart, checks, presenting, queries, services
from acuclinic.treatment.choices import Side, Stimulation
from acuclinic.treatment.errors import NoteNotReady, OverrideNeeded
from acuclinic.treatment.forms import (
    AddendumForm,
    AdverseEventForm,
    ChangeAllForm,
    FollowUpCloseForm,
    LotForm,
    NeedleUseForm,
    NoteDetailsForm,
    PointSearchForm,
    PointsForm,
    PolicyForm,
    PrefillForm,
    PrescriptionForm,
    RecallForm,
    ReportPeriodForm,
    split_codes,
)
from acuclinic.treatment.models import FollowUp, NeedleLot, PointPrescription, SessionNote
from acuclinic.treatment.services import DraftChanged

CLINICAL = "people.view_clinical"
READ_NOTES = (CLINICAL, "treatment.view_sessionnote")
CHART = (CLINICAL, "treatment.add_sessionnote")
SEARCH_LIMIT = 50


def _note_or_404(pk: int) -> SessionNote:
    note = queries.note_with_parts(pk)
    if note is None:
        raise Http404("No such session note.")
    return note


def _appointment_or_404(pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related(
            "patient", "practitioner__user", "service__clinic", "room__location"
        ),
        pk=pk,
    )


def _search(request, *, kind: str = "") -> tuple[PointSearchForm, list | None]:
    form = PointSearchForm(request.GET or None)
    if not form.is_valid() or not form.cleaned_data["q"].strip():
        return form, None
    found = catalogue.current().search(
        form.cleaned_data["q"], kind=form.cleaned_data["kind"] or kind or None, limit=SEARCH_LIMIT
    )
    return form, found


# ── The treatment menu and the catalogue ─────────────────────────────────────────────


@staff_view("treatment.view_needlelot")
def home(request):
    clinic = queries.default_clinic()
    clinical = request.user.has_perms(READ_NOTES)
    today = timezone.localdate()
    return render(
        request,
        "treatment/home.html",
        {
            "expiring": queries.lots_expiring(clinic, today=today),
            "follow_ups": queries.open_follow_ups(clinic) if clinical else [],
            "clinical": clinical,
            "today": today,
            "nav": "treatment",
        },
    )


@staff_view(CLINICAL)
def points(request):
    """Search the catalogues; as a fragment for htmx, or for ticking on a session note."""
    form, found = _search(request)
    picking = request.GET.get("pick") == "1"
    context = {
        "form": form,
        "found": found,
        "picking": picking,
        "limit": SEARCH_LIMIT,
        "regions": catalogue.current().region_names,
        "nav": "treatment",
    }
    if request.htmx:
        return render(request, "treatment/_point_results.html", context)
    return render(request, "treatment/points.html", context)


# ── Starting a note ──────────────────────────────────────────────────────────────────


@staff_view(*READ_NOTES)
def note_start(request, pk: int):
    appointment = _appointment_or_404(pk)
    existing = SessionNote.objects.filter(appointment=appointment).first()
    if existing is not None:
        return redirect("treatment_note", pk=existing.pk)
    error = None
    if request.method == "POST":
        if not request.user.has_perms(CHART):
            # Reading is for every clinician; opening a note, for the practitioner.
            audit.record(AuditAction.DENIED, object_type="page", detail=request.path[:200])
            raise PermissionDenied
        try:
            note = services.session_note_start(appointment, user=request.user)
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, "Session note started.")
            return redirect("treatment_note", pk=note.pk)
    day = queries.visit_date(appointment)
    verdict = needling_gate(appointment, today=day) if appointment.service.needling else None
    return render(
        request,
        "treatment/note_start.html",
        {
            "appointment": appointment,
            "verdict": verdict,
            "error": error,
            "is_treating": appointment.practitioner.user_id == request.user.pk,
            "nav": "patients",
        },
        status=error.status if error else 200,
    )


# ── The session note ─────────────────────────────────────────────────────────────────


def _note_context(request, note: SessionNote, **forms) -> dict:
    points = presenting.charted_points(queries.points_of(note))
    restrictions = queries.restrictions_for(note.patient, day=note.session_date, clinic=note.clinic)
    draft = not note.is_signed
    practitioner = queries.practitioner_of(request.user)
    prescriptions = (
        list(PointPrescription.objects.filter(practitioner=practitioner).order_by("name"))
        if practitioner is not None and draft
        else []
    )
    search_form, found = _search(request)
    context = {
        "note": note,
        "patient": note.patient,
        "appointment": note.appointment,
        "points": points,
        "needle_uses": queries.needle_uses_of(note),
        "events": queries.events_of(note),
        "addenda": list(note.addenda.select_related("written_by").order_by("written_at", "id")),
        "flags": presenting.flag_lines(restrictions),
        "advice": catalogue.current().advice_by_id(),
        "draft": draft,
        "can_chart": draft
        and request.user.has_perms(CHART)
        and note.practitioner.user_id == request.user.pk,
        "can_add_events": request.user.has_perm("treatment.add_adverseevent"),
        "can_add_addendum": not draft and request.user.has_perm("treatment.add_noteaddendum"),
        "sign_problems": services.sign_problems(note) if draft else [],
        "prescriptions": prescriptions,
        "has_previous": draft and queries.previous_signed_note(note) is not None,
        "search_form": search_form,
        "found": found,
        "nav": "patients",
        **presenting.chart_context(points),
    }
    lots = queries.usable_lots(note.clinic, note.session_date) if draft else []
    context_points_form = forms.get("points_form") or PointsForm(
        initial={"side": "bilateral", "stimulation": ""}
    )
    context.update(
        details_form=forms.get("details_form")
        or NoteDetailsForm(
            initial={
                name: getattr(note, name)
                for name in (
                    "pain_before",
                    "findings",
                    "needles_out",
                    "needles_in",
                    "aftercare",
                    "aftercare_notes",
                    "plan",
                )
            }
        ),
        points_form=context_points_form,
        prefill_form=forms.get("prefill_form") or PrefillForm(),
        change_all_form=forms.get("change_all_form") or ChangeAllForm(),
        change_all_problems=forms.get("change_all_problems"),
        ticked=presenting.ticked(_picks_of(context_points_form)),
        prefill_problems=forms.get("prefill_problems"),
        points_problems=forms.get("points_problems"),
        needles_form=forms.get("needles_form") or NeedleUseForm(lots=lots),
        event_form=forms.get("event_form") or AdverseEventForm(),
        addendum_form=forms.get("addendum_form") or AddendumForm(),
        sign_error=forms.get("sign_error"),
        page_error=forms.get("page_error"),
        draft_changed=forms.get("draft_changed"),
    )
    return context


def _picks_of(form) -> list[str]:
    """The points ticked in a form shown again after a refused press."""
    if form.is_bound:
        return form.data.getlist("pick")
    return list(form.initial.get("pick") or [])


# Refusals about the note as a whole, shown at the top: the form that was posted may not
# even be on the page any more (a signed note shows no forms).
PAGE_LEVEL = {"note_signed", "not_treating_practitioner", "note_not_signed", "not_a_clinician"}


def _render_note(
    request,
    note: SessionNote,
    *,
    status: int = 200,
    error: ServiceError | None = None,
    **forms,
):
    if error is not None:
        status = error.status
        if error.code in PAGE_LEVEL:
            forms["page_error"] = error.message
    context = _note_context(request, note, **forms)
    return render(request, "treatment/note.html", context, status=status)


def _back_to(note: SessionNote, anchor: str = ""):
    return redirect(reverse("treatment_note", args=[note.pk]) + (f"#{anchor}" if anchor else ""))


@staff_view(*READ_NOTES)
def note_detail(request, pk: int):
    note = _note_or_404(pk)
    audit.record(AuditAction.VIEW, note, detail="session note")
    return _render_note(request, note)


def _post_only(request, note: SessionNote):
    return None if request.method == "POST" else _back_to(note)


# ── The one note form: every button saves everything typed ───────────────────────────
#
# The note page is a single form. Whichever button is pressed, the text is saved first
# (checked against the revision the page was opened at), then every part that was filled
# in (points, needles, an adverse event), then the button's own step (sign, prefill,
# remove, search). A refused step shows the page again with everything typed still in
# its fields, so no press of a button ever loses a word.


def _revision(post) -> int | None:
    try:
        return int(post.get("revision", ""))
    except ValueError:
        return None


def _kept(form_class, post, **kwargs):
    """``form_class`` unbound, showing what was typed into it (a part not yet acted on)."""
    form = form_class(**kwargs)
    initial = {}
    for name, field in form.fields.items():
        if isinstance(field, django_forms.MultipleChoiceField):
            initial[name] = post.getlist(name)
        elif name in post:
            initial[name] = post.get(name)
    form.initial = initial
    return form


def _points_pending(post) -> bool:
    return bool(post.get("codes", "").strip() or post.getlist("pick"))


def _needles_pending(post) -> bool:
    return bool(post.get("lot", "").strip() or post.get("count", "").strip())


def _event_pending(post) -> bool:
    return bool(
        post.get("severity")
        or post.get("description", "").strip()
        or post.get("action_taken", "").strip()
    )


class _NoteSave:
    """One press of a button on the note form, and the page to show if a step is refused."""

    def __init__(self, request, note: SessionNote):
        self.request, self.note, self.post = request, note, request.POST
        lots = queries.usable_lots(note.clinic, note.session_date)
        self.lots = lots
        self.forms = {
            "details_form": NoteDetailsForm(self.post),
            "points_form": _kept(PointsForm, self.post),
            "prefill_form": _kept(PrefillForm, self.post),
            "change_all_form": _kept(ChangeAllForm, self.post),
            "needles_form": _kept(NeedleUseForm, self.post, lots=lots),
            "event_form": _kept(AdverseEventForm, self.post),
        }
        self.done: list[str] = []

    def refused(self, *, status: int = 400, error: ServiceError | None = None, **forms):
        for text in self.done:
            messages.success(self.request, text)
        note = _note_or_404(self.note.pk)
        return _render_note(
            self.request, note, status=status, error=error, **{**self.forms, **forms}
        )

    def save_text(self):
        form = self.forms["details_form"]
        if not form.is_valid():
            return self.refused()
        try:
            self.note = services.session_note_update(
                self.note,
                user=self.request.user,
                expected_revision=_revision(self.post),
                **form.cleaned_data,
            )
        except DraftChanged as exc:
            return self.refused(error=exc, page_error=exc.message, draft_changed=exc.note)
        except ServiceError as exc:
            apply_service_error(form, exc)
            return self.refused(error=exc)
        self.done.append("Note saved.")
        return None

    def chart(self):
        form = PointsForm(self.post)
        if not form.is_valid():
            return self.refused(points_form=form)
        data = form.cleaned_data
        specs = services.specs_with_defaults(
            self.note,
            data["all_codes"],
            side=data["side"],
            depth_mm=data["depth_mm"],
            retention_minutes=data["retention_minutes"],
            stimulation=data["stimulation"],
            sides=data["sides"],
        )
        try:
            added = services.needled_points_add(
                self.note, specs, user=self.request.user, override_reason=data["override_reason"]
            )
        except OverrideNeeded as exc:
            form.add_error("override_reason", exc.message)
            return self.refused(error=exc, points_form=form, points_problems=exc.problems)
        except ServiceError as exc:
            apply_service_error(form, exc, aliases={"code": "codes"})
            return self.refused(error=exc, points_form=form)
        self.done.append(f"Charted {', '.join(p.code for p in added)}.")
        return None

    def change_all(self):
        form = ChangeAllForm(self.post)
        if not form.is_valid():
            return self.refused(change_all_form=form)
        data = form.cleaned_data
        try:
            services.needled_points_change_all(
                self.note,
                user=self.request.user,
                depth_mm=data["all_depth_mm"],
                retention_minutes=data["all_retention_minutes"],
                stimulation=data["all_stimulation"],
                override_reason=self.post.get("override_reason", ""),
            )
        except OverrideNeeded as exc:
            form.add_error(None, exc.message)
            return self.refused(error=exc, change_all_form=form, change_all_problems=exc.problems)
        except ServiceError as exc:
            apply_service_error(
                form,
                exc,
                aliases={
                    "depth_mm": "all_depth_mm",
                    "retention_minutes": "all_retention_minutes",
                    "stimulation": "all_stimulation",
                },
            )
            return self.refused(error=exc, change_all_form=form)
        self.done.append("Every charted point changed.")
        return None

    def prefill(self, source: str):
        form = PrefillForm(
            {"source": source, "override_reason": self.post.get("override_reason", "")}
        )
        prescription = None
        if form.is_valid() and source != "last":
            prescription = (
                PointPrescription.objects.filter(pk=source).first() if source.isdigit() else None
            )
            if prescription is None:
                form.add_error(None, "Choose one of your prescriptions.")
        if not form.is_valid():
            return self.refused(prefill_form=form)
        try:
            added = services.note_prefill(
                self.note,
                user=self.request.user,
                prescription=prescription,
                override_reason=form.cleaned_data["override_reason"],
            )
        except OverrideNeeded as exc:
            form.add_error("override_reason", exc.message)
            return self.refused(error=exc, prefill_form=form, prefill_problems=exc.problems)
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return self.refused(error=exc, prefill_form=form)
        self.done.append(f"Charted {', '.join(p.code for p in added)}.")
        return None

    def needles(self):
        form = NeedleUseForm(self.post, lots=self.lots)
        if not form.is_valid():
            return self.refused(needles_form=form)
        lot = NeedleLot.objects.filter(pk=form.cleaned_data["lot"]).first()
        if lot is None:
            form.add_error("lot", "Choose a needle lot from the list.")
            return self.refused(needles_form=form)
        try:
            services.needle_use_record(
                self.note, lot=lot, count=form.cleaned_data["count"], user=self.request.user
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
            return self.refused(error=exc, needles_form=form)
        self.done.append("Needles recorded.")
        return None

    def event(self):
        if not self.request.user.has_perm("treatment.add_adverseevent"):
            raise PermissionDenied
        form = AdverseEventForm(self.post)
        if not form.is_valid():
            return self.refused(event_form=form)
        try:
            event = services.adverse_event_record(
                self.note, user=self.request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
            return self.refused(error=exc, event_form=form)
        text = "Adverse event recorded."
        if hasattr(event, "follow_up"):
            text += " A follow-up is open until a clinic admin closes it."
        self.done.append(text)
        return None

    def remove(self, kind: str, pk_text: str):
        if not pk_text.isdigit():
            return None
        remove = services.needled_point_remove if kind == "point" else services.needle_use_remove
        try:
            remove(self.note, int(pk_text), user=self.request.user)
        except ServiceError as exc:
            return self.refused(error=exc, page_error=exc.message)
        self.done.append(
            "Point removed." if kind == "point" else "Lot removed; its needles are back in stock."
        )
        return None

    def sign(self):
        try:
            services.session_note_sign(self.note, user=self.request.user)
        except NoteNotReady as exc:
            return self.refused(error=exc, sign_error=exc)
        except ServiceError as exc:
            return self.refused(error=exc, page_error=exc.message)
        self.done.append("Note signed. It is now final; corrections are added as addenda.")
        return None

    def run(self):
        post = self.post
        # The form always carries its revision; a post without it has no text to save
        # (saving it would empty the note).
        steps = [self.save_text] if "revision" in post else []
        if post.get("remove_point"):
            steps.append(lambda: self.remove("point", post["remove_point"]))
        if post.get("remove_needles"):
            steps.append(lambda: self.remove("needles", post["remove_needles"]))
        if _points_pending(post):
            steps.append(self.chart)
        if post.get("action") == "change_all":
            steps.append(self.change_all)
        if post.get("prefill"):
            steps.append(lambda: self.prefill(post["prefill"]))
        if _needles_pending(post):
            steps.append(self.needles)
        if post.get("action") == "event" or _event_pending(post):
            steps.append(self.event)
        if post.get("action") == "sign":
            steps.append(self.sign)
        for step in steps:
            refused = step()
            if refused is not None:
                return refused
        if self.done:
            messages.success(self.request, " ".join(self.done))
        url = reverse("treatment_note", args=[self.note.pk])
        action = post.get("action", "")
        if action == "search" and post.get("q", "").strip():
            return redirect(f"{url}?{urlencode({'q': post['q'].strip()})}#points")
        anchor = {"chart": "points", "needles": "needles", "event": "events"}.get(action, "")
        return redirect(url + (f"#{anchor}" if anchor else ""))


@staff_view(*CHART)
def note_save(request, pk: int):
    note = _note_or_404(pk)
    if (back := _post_only(request, note)) is not None:
        return back
    return _NoteSave(request, note).run()


@staff_view(*CHART)
def note_autosave(request, pk: int):
    """The note's text, saved as it is typed (static/treatment/note.js): JSON back."""
    if request.method != "POST":
        return JsonResponse({"code": "method_not_allowed", "message": "Use POST."}, status=405)
    note = queries.note_with_parts(pk)
    if note is None:
        return JsonResponse({"code": "not_found", "message": "No such session note."}, status=404)
    form = NoteDetailsForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        return JsonResponse(
            {
                "code": "invalid",
                "field": field,
                "message": f"Not saved: {label or field}: {errors[0]}",
            },
            status=400,
        )
    try:
        note = services.session_note_update(
            note,
            user=request.user,
            expected_revision=_revision(request.POST),
            **form.cleaned_data,
        )
    except ServiceError as exc:
        return JsonResponse(
            {"code": exc.code, "field": exc.field, "message": f"Not saved: {exc.message}"},
            status=exc.status,
        )
    saved = timezone.localtime(note.updated_at).strftime("%H:%M")
    return JsonResponse(
        {"revision": note.revision or 0, "saved": saved, "message": f"Saved {saved}"}
    )


def _coordinate(text: str | None) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


@staff_view(*CHART)
def note_near(request, pk: int):
    """The points nearest a click on the body chart, to tick (static/treatment/chart.js).

    ``x`` and ``y`` are in the chart's SVG units. Each point offered is checked against
    the patient's flags as charting will check it, so a warning shows before it is ticked.
    """
    note = _note_or_404(pk)
    x, y = _coordinate(request.GET.get("x")), _coordinate(request.GET.get("y"))
    if x is None or y is None:
        return render(
            request,
            "treatment/_chart_suggestions.html",
            {"error": "Click or tap a place on one of the two figures."},
            status=400,
        )
    spot = chart.place(x, y)
    cat = catalogue.current()
    found = chart.nearest(cat.entries, spot) if spot is not None else []
    restrictions = queries.restrictions_for(note.patient, day=note.session_date, clinic=note.clinic)
    audit.record(AuditAction.VIEW, note, detail="body chart: points near a click")
    offers = [
        presenting.Offer(
            nearby,
            checks.problems_for(
                nearby.entry,
                side=nearby.body_side or Side.MIDLINE,
                stimulation=Stimulation.MANUAL,
                restrictions=restrictions,
                catalogue=cat,
            ),
        )
        for nearby in found
    ]
    return render(
        request,
        "treatment/_chart_suggestions.html",
        {"spot": spot, "offers": offers},
    )


@staff_view(*CHART)
def note_details(request, pk: int):
    note = _note_or_404(pk)
    if (back := _post_only(request, note)) is not None:
        return back
    form = NoteDetailsForm(request.POST)
    if form.is_valid():
        try:
            services.session_note_update(note, user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
            return _render_note(request, note, error=exc, details_form=form)
        messages.success(request, "Note saved.")
        return _back_to(note, "details")
    return _render_note(request, note, status=400, details_form=form)


@staff_view(*CHART)
def note_points(request, pk: int):
    note = _note_or_404(pk)
    if (back := _post_only(request, note)) is not None:
        return back
    form = PointsForm(request.POST)
    if not form.is_valid():
        return _render_note(request, note, status=400, points_form=form)
    data = form.cleaned_data
    specs = services.specs_with_defaults(
        note,
        data["all_codes"],
        side=data["side"],
        depth_mm=data["depth_mm"],
        retention_minutes=data["retention_minutes"],
        stimulation=data["stimulation"],
        sides=data["sides"],
    )
    try:
        added = services.needled_points_add(
            note, specs, user=request.user, override_reason=data["override_reason"]
        )
    except OverrideNeeded as exc:
        form.add_error("override_reason", exc.message)
        return _render_note(
            request, note, error=exc, points_form=form, points_problems=exc.problems
        )
    except ServiceError as exc:
        apply_service_error(form, exc, aliases={"code": "codes"})
        return _render_note(request, note, error=exc, points_form=form)
    messages.success(request, f"Charted {', '.join(p.code for p in added)}.")
    return _back_to(note, "points")


@staff_view(*CHART)
def note_point_remove(request, pk: int, point_pk: int):
    note = _note_or_404(pk)
    if (back := _post_only(request, note)) is not None:
        return back
    try:
        services.needled_point_remove(note, point_pk, user=request.user)
    except ServiceError as exc:
        return _render_note(request, note, error=exc, page_error=exc.message)
    messages.success(request, "Point removed.")
    return _back_to(note, "points")


@staff_view(*CHART)
def note_prefill(request, pk: int):
    note = _note_or_404(pk)
    if (back := _post_only(request, note)) is not None:
        return back
    form = PrefillForm(request.POST)
    if not form.is_valid():
        return _render_note(request, note, status=400, prefill_form=form)
    source = form.cleaned_data["source"]
    prescription = None
    if source != "last":
        prescription = (
            PointPrescription.objects.filter(pk=source).first() if source.isdigit() else None
        )
        if prescription is None:
            form.add_error(None, "Choose one of your prescriptions.")
            return _render_note(request, note, status=400, prefill_form=form)
    try:
        added = services.note_prefill(
            note,
            user=request.user,
            prescription=prescription,
            override_reason=form.cleaned_data["override_reason"],
        )
    except OverrideNeeded as exc:
        form.add_error("override_reason", exc.message)
        return _render_note(
            request, note, error=exc, prefill_form=form, prefill_problems=exc.problems
        )
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return _render_note(request, note, error=exc, prefill_form=form)
    messages.success(request, f"Charted {', '.join(p.code for p in added)}.")
    return _back_to(note, "points")


@staff_view(*CHART)
def note_needles(request, pk: int):
    note = _note_or_404(pk)
    if (back := _post_only(request, note)) is not None:
        return back
    lots = queries.usable_lots(note.clinic, note.session_date)
    form = NeedleUseForm(request.POST, lots=lots)
    if not form.is_valid():
        return _render_note(request, note, status=400, needles_form=form)
    lot = NeedleLot.objects.filter(pk=form.cleaned_data["lot"]).first()
    if lot is None:
        form.add_error("lot", "Choose a needle lot from the list.")
        return _render_note(request, note, status=400, needles_form=form)
    try:
        services.needle_use_record(
            note, lot=lot, count=form.cleaned_data["count"], user=request.user
        )
    except ServiceError as exc:
        apply_service_error(form, exc)
        return _render_note(request, note, error=exc, needles_form=form)
    messages.success(request, "Needles recorded.")
    return _back_to(note, "needles")


@staff_view(*CHART)
def note_needle_remove(request, pk: int, use_pk: int):
    note = _note_or_404(pk)
    if (back := _post_only(request, note)) is not None:
        return back
    try:
        services.needle_use_remove(note, use_pk, user=request.user)
    except ServiceError as exc:
        return _render_note(request, note, error=exc, page_error=exc.message)
    messages.success(request, "Lot removed; its needles are back in stock.")
    return _back_to(note, "needles")


@staff_view(*CHART)
def note_sign(request, pk: int):
    note = _note_or_404(pk)
    if (back := _post_only(request, note)) is not None:
        return back
    try:
        services.session_note_sign(note, user=request.user)
    except NoteNotReady as exc:
        return _render_note(request, note, error=exc, sign_error=exc)
    except ServiceError as exc:
        return _render_note(request, note, error=exc, page_error=exc.message)
    messages.success(request, "Note signed. It is now final; corrections are added as addenda.")
    return _back_to(note)


@staff_view(CLINICAL, "treatment.add_noteaddendum")
def note_addendum(request, pk: int):
    note = _note_or_404(pk)
    if (back := _post_only(request, note)) is not None:
        return back
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.addendum_add(note, text=form.cleaned_data["text"], user=request.user)
        except ServiceError as exc:
            apply_service_error(form, exc)
            return _render_note(request, note, error=exc, addendum_form=form)
        messages.success(request, "Addendum added.")
        return _back_to(note, "addenda")
    return _render_note(request, note, status=400, addendum_form=form)


@staff_view(CLINICAL, "treatment.add_adverseevent")
def note_adverse_event(request, pk: int):
    note = _note_or_404(pk)
    if (back := _post_only(request, note)) is not None:
        return back
    form = AdverseEventForm(request.POST)
    if form.is_valid():
        try:
            event = services.adverse_event_record(note, user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
            return _render_note(request, note, error=exc, event_form=form)
        text = "Adverse event recorded."
        if hasattr(event, "follow_up"):
            text += " A follow-up is open until a clinic admin closes it."
        messages.success(request, text)
        return _back_to(note, "events")
    return _render_note(request, note, status=400, event_form=form)


# ── Adverse events: the list, follow-ups and the report ──────────────────────────────


@staff_view(CLINICAL, "treatment.view_adverseevent")
def adverse_events(request):
    clinic = queries.default_clinic()
    events = queries.recent_events(clinic)
    if events:
        audit.record(
            AuditAction.VIEW, object_type="treatment.adverseevent", detail="adverse events list"
        )
    return render(
        request,
        "treatment/adverse_events.html",
        {
            "events": events,
            "follow_ups": queries.open_follow_ups(clinic),
            "can_close": request.user.has_perm("treatment.change_followup"),
            "nav": "treatment",
        },
    )


@staff_view(CLINICAL, "treatment.change_followup")
def follow_up_close(request, pk: int):
    follow_up = get_object_or_404(
        FollowUp.objects.select_related(
            "event__note__patient", "event__note__practitioner__user", "event__recorded_by"
        ),
        pk=pk,
    )
    form = FollowUpCloseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.follow_up_close(
                    follow_up, outcome=form.cleaned_data["outcome"], user=request.user
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "Follow-up closed.")
                return redirect("treatment_adverse_events")
    else:
        audit.record(AuditAction.VIEW, follow_up, detail="follow-up")
    return render(
        request,
        "treatment/follow_up_close.html",
        {"follow_up": follow_up, "form": form, "nav": "treatment"},
        status=status,
    )


@staff_view(CLINICAL, "treatment.view_adverseevent")
def report(request):
    today = timezone.localdate()
    form = ReportPeriodForm(request.GET or None)
    start, end = today - timedelta(days=365), today
    status = 200
    if request.GET:
        if form.is_valid() and form.cleaned_data["start"] <= form.cleaned_data["end"]:
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        else:
            if form.is_valid():
                form.add_error("end", "The end of the period comes after its start.")
            status = 400
    else:
        form = ReportPeriodForm(initial={"start": start, "end": end})
    result = queries.adverse_event_report(queries.default_clinic(), start=start, end=end)
    return render(
        request,
        "treatment/report.html",
        {"form": form, "report": result, "nav": "treatment"},
        status=status,
    )


# ── Needle stock ─────────────────────────────────────────────────────────────────────


@staff_view("treatment.view_needlelot")
def lots(request):
    clinic = queries.default_clinic()
    today = timezone.localdate()
    policy = queries.policy_for(clinic)
    return render(
        request,
        "treatment/lots.html",
        {
            "lots": queries.lots_for(clinic),
            "today": today,
            "warn_until": today + timedelta(days=policy.lot_expiry_warning_days),
            "nav": "treatment",
        },
    )


@staff_view("treatment.view_needlelot", "treatment.add_needlelot")
def lot_new(request):
    form = LotForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        clinic = queries.default_clinic()
        if clinic is None:
            form.add_error(None, "Set up the clinic before stocking needles.")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                lot = services.needle_lot_receive(
                    clinic,
                    manufacturer=data["manufacturer"],
                    diameter_um=form.diameter_um,
                    length_mm=data["length_mm"],
                    lot_number=data["lot_number"],
                    expires_on=data["expires_on"],
                    received_on=data["received_on"],
                    quantity=data["quantity"],
                    user=request.user,
                )
            except ServiceError as exc:
                apply_service_error(form, exc, aliases={"diameter_um": "diameter_mm"})
                status = exc.status
            else:
                messages.success(request, f"Lot {lot.lot_number} is in stock.")
                return redirect("treatment_lot", pk=lot.pk)
    return render(
        request, "treatment/lot_form.html", {"form": form, "nav": "treatment"}, status=status
    )


# A page of the recall list: enough to read down on screen, few enough to draw quickly.
# The phone round works from the download, which has every session.
SESSIONS_PER_PAGE = 100


@staff_view("treatment.view_needlelot")
def lot_detail(request, pk: int):
    if request.GET.get("download") == "csv":
        return _lot_sessions_csv(request, pk)
    lot = get_object_or_404(NeedleLot.objects.select_related("clinic", "created_by"), pk=pk)
    context = {
        "lot": lot,
        "recall_form": RecallForm(),
        "can_recall": request.user.has_perm("treatment.change_needlelot"),
        "today": timezone.localdate(),
        "nav": "treatment",
    }
    status = 200
    if request.user.has_perm("treatment.view_lot_recall"):
        found = services.recall_search(lot, user=request.user)
        context["trace"] = found
        paginator = Paginator(found.newest_first, SESSIONS_PER_PAGE)
        asked = request.GET.get("page") or 1
        try:
            page = paginator.page(asked)
        except InvalidPage as exc:
            # A page link from before, or a typed address: say which pages there are.
            status = 400 if isinstance(exc, PageNotAnInteger) else 404
            context["bad_page"] = asked
            context["num_pages"] = paginator.num_pages
        else:
            context["page"] = page
            context["rows"] = found.page(page.object_list) if found.sessions else []
            context["page_links"] = paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            )
    return render(request, "treatment/lot_detail.html", context, status=status)


@never_cache
@staff_view("treatment.view_needlelot", "treatment.view_lot_recall")
def _lot_sessions_csv(request, pk: int):
    """Every session that used the lot, streamed a chunk at a time as CSV."""
    lot = get_object_or_404(NeedleLot, pk=pk)
    found = services.recall_search(lot, user=request.user, download=True)
    uses = found.with_practitioners(found.uses.iterator(chunk_size=500)) if found.sessions else ()
    response = StreamingHttpResponse(
        (spreadsheet.csv_line(row) for row in presenting.recall_csv_rows(uses)),
        content_type="text/csv; charset=utf-8",
    )
    name = f"lot-{slugify(lot.lot_number) or lot.pk}-sessions.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_view("treatment.view_needlelot", "treatment.change_needlelot")
def lot_recall(request, pk: int):
    lot = get_object_or_404(NeedleLot, pk=pk)
    if request.method != "POST":
        return redirect("treatment_lot", pk=pk)
    form = RecallForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason for the recall, in up to 200 characters.")
        return redirect("treatment_lot", pk=pk)
    try:
        services.needle_lot_recall(lot, reason=form.cleaned_data["reason"], user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Lot {lot.lot_number} recalled: it can no longer be recorded.")
    return redirect("treatment_lot", pk=pk)


# ── Saved prescriptions ──────────────────────────────────────────────────────────────


@staff_view(CLINICAL, "treatment.view_pointprescription", "treatment.add_pointprescription")
def prescriptions(request):
    practitioner = queries.practitioner_of(request.user)
    if practitioner is None:
        raise Http404("Prescriptions belong to practitioners.")
    form = PrescriptionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            specs = services.specs_from_codes(
                split_codes(data["codes"]),
                side=data["side"],
                depth_mm=data["depth_mm"],
                retention_minutes=data["retention_minutes"],
                stimulation=data["stimulation"],
            )
            try:
                saved = services.prescription_save(
                    practitioner, name=data["name"], specs=specs, user=request.user
                )
            except ServiceError as exc:
                apply_service_error(form, exc, aliases={"code": "codes"})
                status = exc.status
            else:
                messages.success(request, f"Saved “{saved.name}”.")
                return redirect("treatment_prescriptions")
    saved = PointPrescription.objects.filter(practitioner=practitioner).prefetch_related("items")
    return render(
        request,
        "treatment/prescriptions.html",
        {"form": form, "prescriptions": saved.order_by("name"), "nav": "treatment"},
        status=status,
    )


@staff_view(CLINICAL, "treatment.delete_pointprescription")
def prescription_delete(request, pk: int):
    if request.method != "POST":
        return redirect("treatment_prescriptions")
    prescription = get_object_or_404(PointPrescription, pk=pk)
    try:
        services.prescription_delete(prescription, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Deleted “{prescription.name}”.")
    return redirect("treatment_prescriptions")


# ── Clinic settings ──────────────────────────────────────────────────────────────────


@staff_view("treatment.view_treatmentpolicy", "treatment.change_treatmentpolicy")
def policy(request):
    clinic = queries.default_clinic()
    if clinic is None:
        raise Http404("No clinic is set up yet.")
    current = queries.policy_for(clinic)
    form = PolicyForm(request.POST or None, instance=current)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.treatment_policy_update(
                    clinic, user=request.user, **{f: form.cleaned_data[f] for f in form.fields}
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "Treatment settings saved.")
                return redirect("treatment_policy")
    return render(
        request, "treatment/policy_form.html", {"form": form, "nav": "treatment"}, status=status
    )
