"""The outbox (clinic admins): every message, filtered; sending a failed one again; the
reminder settings."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Clinic
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.notifications import queries, services
from acuclinic.notifications.forms import MessagingPolicyForm, OutboxFilter
from acuclinic.notifications.models import Message
from acuclinic.notifications.presenting import delivery

PAGE_SIZE = 50
CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"
CONSOLE_SMS = "acuclinic.notifications.sms.ConsoleSmsBackend"


def delivery_warnings() -> list[str]:
    """What an admin must know before trusting "Sent": a development backend prints
    messages in the worker's log instead of sending them to anyone."""
    warnings = []
    if settings.EMAIL_BACKEND == CONSOLE_EMAIL:
        warnings.append(
            "Email is not set up: emails are printed in the worker's log, not sent to "
            "anyone. Set EMAIL_HOST (see the README)."
        )
    if settings.ACUCLINIC_SMS_BACKEND == CONSOLE_SMS:
        warnings.append(
            "Text messages are printed in the worker's log, not sent to anyone. Set "
            "ACUCLINIC_SMS_BACKEND to your SMS provider's backend or the outbox folder."
        )
    return warnings


@staff_view("notifications.view_message")
def outbox(request):
    form = OutboxFilter(request.GET or None)
    found = queries.outbox(**form.cleaned_data) if form.is_valid() else queries.outbox()
    if form.is_bound and not form.is_valid():
        found = found.none()
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # The outbox lists patients' addresses: who looked is worth knowing.
    audit.record(AuditAction.VIEW, object_type="notifications.message", detail="outbox")
    return render(
        request,
        "notifications/outbox.html",
        {
            "form": form,
            "page": page,
            "rows": [(m, delivery(m)) for m in page],
            "query": query.urlencode(),
            "can_retry": request.user.has_perm("notifications.change_message"),
            "back": request.get_full_path(),
            "warnings": delivery_warnings(),
            "nav": "outbox",
        },
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@require_POST
@staff_view("notifications.change_message")
def message_retry(request, pk: int):
    message = get_object_or_404(Message, pk=pk)
    try:
        services.message_retry(message, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"The {message.kind_label.lower()} to {message.recipient} will be sent again now.",
        )
    return _back(request, "outbox")


@staff_view("notifications.change_messagingpolicy")
def messaging_policy(request):
    clinic = Clinic.objects.order_by("pk").first()
    if clinic is None:
        raise Http404("No clinic")
    current = services.messaging_policy_for(clinic)
    form = MessagingPolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.messaging_policy_update(
                clinic,
                user=request.user,
                **{f: form.cleaned_data[f] for f in services.POLICY_FIELDS},
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, "Reminder settings saved.")
            return redirect("messaging_policy")
    return render(
        request,
        "notifications/policy_form.html",
        {"form": form, "clinic": clinic, "nav": "outbox"},
        status=400 if request.method == "POST" else 200,
    )
