"""Calendar feeds: a practitioner's page for their subscription URL, the clinic admin's
list of everyone's, and the feed itself (no sign-in: the secret in the URL is the key)."""

import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
)
from django.views.decorators.http import require_GET, require_POST

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Clinic
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.people.models import CalendarFeedToken, Practitioner
from acuclinic.scheduling.feeds import ical as feeds
from acuclinic.scheduling.feeds import tokens as feed_tokens


def _own_practitioner(request) -> Practitioner:
    """The signed-in person's practitioner record; anyone else is refused (audited)."""
    practitioner = Practitioner.objects.filter(user=request.user, is_active=True).first()
    if practitioner is None:
        audit.record(AuditAction.DENIED, object_type="page", detail=request.path[:200])
        raise PermissionDenied
    return practitioner


def _feed_url(request, secret: str) -> str:
    return request.build_absolute_uri(reverse("calendar_feed_ics", args=[secret]))


@staff_view()
def calendar_feed(request):
    """See your feed; POST makes a new subscription URL (the old one stops working)."""
    practitioner = _own_practitioner(request)
    url = None
    if request.method == "POST":
        _, secret = feed_tokens.calendar_feed_issue(practitioner, user=request.user)
        url = _feed_url(request, secret)
    response = render(
        request,
        "scheduling/calendar_feed.html",
        {
            "practitioner": practitioner,
            "token": feed_tokens.live_token(practitioner),
            # Shown on this response only: only a digest of the secret is kept.
            "url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[1] if url else None,
            "nav": "calendar",
        },
    )
    if url is not None:
        add_never_cache_headers(response)
    return response


@require_POST
@staff_view()
def calendar_feed_revoke(request):
    practitioner = _own_practitioner(request)
    try:
        feed_tokens.calendar_feed_revoke(practitioner, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Your calendar feed is stopped. Calendars using it no longer update."
        )
    return redirect("calendar_feed")


@staff_view("people.change_practitioner")
def calendar_feeds(request):
    practitioners = list(Practitioner.objects.select_related("user").order_by("user__last_name"))
    live = {t.practitioner_id: t for t in CalendarFeedToken.objects.filter(revoked_at__isnull=True)}
    return render(
        request,
        "scheduling/calendar_feeds.html",
        {"rows": [(p, live.get(p.pk)) for p in practitioners], "nav": "calendar"},
    )


@require_POST
@staff_view("people.change_practitioner")
def calendar_feed_revoke_for(request, pk: int):
    practitioner = get_object_or_404(Practitioner.objects.select_related("user"), pk=pk)
    try:
        feed_tokens.calendar_feed_revoke(practitioner, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Stopped the calendar feed of {practitioner.name}.")
    return redirect("calendar_feeds")


@require_GET
def calendar_feed_ics(request, secret: str):
    token = feed_tokens.token_for_secret(secret)
    if token is None:
        # The same answer for a URL that never existed and one revoked: nothing to learn.
        audit.record(
            AuditAction.DENIED,
            object_type="people.calendarfeedtoken",
            detail="calendar feed: unknown or revoked URL",
        )
        return HttpResponseNotFound("Not found.\n", content_type="text/plain; charset=utf-8")
    practitioner = token.practitioner
    now = timezone.now()
    appointments = list(feeds.feed_appointments(practitioner, now=now))
    body = feeds.build_calendar(
        practitioner=practitioner,
        appointments=appointments,
        now=now,
        link_for=lambda a: request.build_absolute_uri(reverse("appointment_detail", args=[a.pk])),
        patient_names=Clinic.objects.filter(calendar_feed_patient_names=True).exists(),
    )
    audit.record(
        AuditAction.VIEW, token, detail=f"calendar feed read: {len(appointments)} appointments"
    )
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="acuclinic.ics"'
    response["ETag"] = etag
    # Personal data: no shared cache may keep it. Calendar programs poll; a few minutes'
    # reuse on their side is fine, and an unchanged feed answers 304.
    patch_cache_control(response, private=True, max_age=300)
    response["X-Robots-Tag"] = "noindex"
    return get_conditional_response(request, etag=etag, response=response) or response
