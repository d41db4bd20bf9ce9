"""Billing pages: a patient's account (take a payment, raise an invoice), an invoice or
receipt that prints (and its PDF, and emailing it), admin corrections (credit note,
refund, waiving a fee) and the day's takings. Thin: parse, call a service, render."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.billing import (
    courses,
    documents,
    emails,
    insurers,
    money,
    online,
    pdf,
    queries,
    reports,
    services,
)
from acuclinic.billing.choices import InvoiceKind, InvoiceStatus
from acuclinic.billing.forms import (
    InsurerForm,
    InvoiceForm,
    PaymentForm,
    PolicyForm,
    PriceForm,
    ReasonForm,
    RefundForm,
    ServiceVatForm,
    SettingsForm,
)
from acuclinic.billing.models import (
    CourseBlock,
    InsurancePolicy,
    Insurer,
    Invoice,
    Payment,
    PrepaidCourse,
    Price,
    ServiceVat,
)
from acuclinic.clinic.models import Clinic
from acuclinic.core import spreadsheet
from acuclinic.core.access import access_denied, staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.outcomes import queries as outcomes_queries
from acuclinic.people.models import Patient

VIEW = "billing.view_invoice"


def _open_invoices(patient) -> list[Invoice]:
    found = []
    for inv in Invoice.objects.filter(
        patient=patient, kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED
    ).prefetch_related("payments", "credit_notes"):
        owed = services.due_on(inv)
        if owed > 0:
            inv.owed_pence = owed
            inv.owed_display = money.pounds(owed)
            found.append(inv)
    return sorted(found, key=lambda i: i.number)


def _account_page(
    request, patient, *, pay_form=None, invoice_form=None, policy_form=None, status=200
):
    invoices = _open_invoices(patient)
    rows = queries.statement(patient)
    balance = rows[-1].balance_pence if rows else 0
    context = {
        "patient": patient,
        "rows": [
            {
                "when": r.when,
                "what": r.what,
                "amount": money.pounds(r.amount_pence),
                "balance": money.pounds(r.balance_pence),
                "invoice": r.invoice,
                "payment": r.payment,
            }
            for r in rows
        ],
        "balance": money.pounds(balance),
        "owes": balance > 0,
        "credit": money.pounds(services.credit_available(patient)),
        "unpaid_online": [
            {"session": s, "amount": money.pounds(s.amount_pence)}
            for s in online.unpaid_at_booking(patient)
        ],
        "open_invoices": invoices,
        "pay_form": pay_form or PaymentForm(invoices=invoices),
        "invoice_form": invoice_form or InvoiceForm(auto_id="raise_%s"),
        "courses": [
            {"course": c, "paid": courses.is_paid(c), "expired": c.expires_on < reports.today()}
            for c in PrepaidCourse.objects.filter(patient=patient).select_related(
                "block", "invoice"
            )
        ],
        "blocks": CourseBlock.objects.filter(is_active=True),
        # The course planner's weekly phase (outcomes): the block size to suggest.
        "weekly_phase": outcomes_queries.policy_for(services._clinic_of(patient)).trial_sessions,
        "policies": InsurancePolicy.objects.filter(patient=patient).select_related("insurer"),
        "policy_form": policy_form or PolicyForm(auto_id="policy_%s"),
        "nav": "billing",
    }
    return render(request, "billing/patient.html", context, status=status)


@never_cache
@staff_view(VIEW)
def billing_home(request):
    recent = Invoice.objects.filter(status=InvoiceStatus.ISSUED).select_related("patient")[:50]
    return render(
        request,
        "billing/home.html",
        {
            "invoices": [(inv, money.pounds(inv.total_pence)) for inv in recent],
            "nav": "billing",
        },
    )


@never_cache
@require_GET
@staff_view(VIEW)
def patient_account(request, pk: int):
    return _account_page(request, get_object_or_404(Patient, pk=pk))


@never_cache
@require_POST
@staff_view("billing.add_payment")
def payment_add(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    invoices = _open_invoices(patient)
    form = PaymentForm(request.POST, invoices=invoices)
    if form.is_valid():
        data = form.cleaned_data
        invoice = None
        if data["invoice"]:
            invoice = Invoice.objects.filter(pk=data["invoice"], patient=patient).first()
        try:
            rows = services.record_payment(
                patient=patient,
                invoice=invoice,
                amount_pence=data["amount"],
                method=data["method"],
                reference=data["reference"],
                request_key=data["key"],
                user=request.user,
            )
        except ServiceError as exc:
            apply_service_error(form, exc, aliases={"amount_pence": "amount"})
        else:
            taken = money.pounds(sum(r.amount_pence for r in rows))
            note = " (the excess is kept as credit)" if len(rows) > 1 else ""
            messages.success(request, f"{taken} taken by {rows[0].get_method_display()}{note}.")
            if invoice is not None:
                return redirect("billing_invoice", pk=invoice.pk)
            return redirect("billing_patient", pk=patient.pk)
    return _account_page(request, patient, pay_form=form, status=400)


@never_cache
@require_POST
@staff_view("billing.add_invoice")
def invoice_add(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    form = InvoiceForm(request.POST, auto_id="raise_%s")
    if form.is_valid():
        try:
            invoice = services.raise_invoice(
                patient=patient,
                clinic=services._clinic_of(patient),
                lines=[
                    {
                        "description": form.cleaned_data["description"],
                        "amount_pence": form.cleaned_data["amount"],
                    }
                ],
                user=request.user,
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"{invoice.reference} issued.")
            return redirect("billing_invoice", pk=invoice.pk)
    return _account_page(request, patient, invoice_form=form, status=400)


def _invoice(pk: int) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related("patient"), pk=pk)


@never_cache
@require_GET
@staff_view(VIEW)
def invoice_detail(request, pk: int):
    invoice = _invoice(pk)
    doc = documents.build(invoice)
    payments = list(invoice.payments.filter(kind="payment", refund_of__isnull=True))
    return render(
        request,
        "billing/invoice.html",
        {
            "doc": doc,
            "invoice": doc.invoice,
            "refundable": payments if request.user.has_perm("billing.refund_payment") else [],
            "credit_form": ReasonForm(),
            "refund_form": RefundForm(),
            "is_fee": invoice.purpose in ("late_cancel_fee", "dna_fee"),
            "nav": "billing",
        },
    )


@never_cache
@require_GET
@staff_view(VIEW)
def invoice_pdf(request, pk: int):
    invoice = _invoice(pk)
    doc = documents.build(invoice)
    response = HttpResponse(pdf.render(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.reference}.pdf"'
    return response


@require_POST
@staff_view("billing.add_invoice")
def invoice_email(request, pk: int):
    invoice = _invoice(pk)
    try:
        pay_url = None
        if online.provider() is not None and services.due_on(invoice) > 0:
            token = online.make_link(invoice)
            pay_url = request.build_absolute_uri(reverse("billing_pay", args=[token]))
        emails.send_document(invoice, user=request.user, pay_url=pay_url)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{invoice.reference} is in the outbox for {invoice.patient.email}."
        )
    return redirect("billing_invoice", pk=invoice.pk)


def _correction(request, invoice, form, do, done: str):
    if form.is_valid():
        try:
            note = do(form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done.format(note=note.reference))
            return redirect("billing_invoice", pk=note.pk)
    else:
        messages.error(request, "Give a reason (and an amount in pounds, if only part).")
    return redirect("billing_invoice", pk=invoice.pk)


@require_POST
@staff_view("billing.credit_invoice")
def invoice_credit(request, pk: int):
    invoice = _invoice(pk)
    return _correction(
        request,
        invoice,
        ReasonForm(request.POST),
        lambda d: services.credit_invoice(
            invoice, amount_pence=d["amount"], reason=d["reason"], user=request.user
        ),
        "Credit note {note} issued.",
    )


@require_POST
@staff_view("billing.waive_fee")
def fee_waive(request, pk: int):
    invoice = _invoice(pk)
    return _correction(
        request,
        invoice,
        ReasonForm(request.POST),
        lambda d: services.waive_fee(invoice, reason=d["reason"], user=request.user),
        "Fee waived by credit note {note}.",
    )


@require_POST
@staff_view("billing.refund_payment")
def payment_refund(request, pk: int):
    payment = get_object_or_404(Payment, pk=pk)
    form = RefundForm(request.POST)
    back = (
        redirect("billing_invoice", pk=payment.invoice_id)
        if payment.invoice_id
        else redirect("billing_patient", pk=payment.patient_id)
    )
    if not form.is_valid():
        messages.error(request, "Give a reason and an amount in pounds.")
        return back
    try:
        refund = services.refund_payment(
            payment,
            amount_pence=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{money.pounds(refund.amount_pence)} refunded.")
    return back


@never_cache
@require_GET
@staff_view()
def takings(request):
    """The day's takings: everyone's for reception and admins, their own for a
    practitioner (``view_own_takings`` without ``view_payment``)."""
    user = request.user
    own = None
    if not user.has_perm("billing.view_payment"):
        own = (
            getattr(user, "practitioner", None)
            if user.has_perm("billing.view_own_takings")
            else None
        )
        if own is None:
            access_denied.send(
                sender=takings, request=request, object_type="page", detail=request.path[:200]
            )
            raise PermissionDenied
    day = parse_date(request.GET.get("date") or "") or reports.today()
    found = reports.takings(day, practitioner=own)
    if request.GET.get("format") == "csv":
        return _csv_download(reports.takings_csv(found, with_cash=own is None), f"takings-{day}")
    return render(
        request,
        "billing/takings.html",
        {
            "t": found,
            "own": own,
            "by_method": [(m, money.pounds(a)) for m, a in found.by_method],
            "by_practitioner": [(n, money.pounds(a)) for n, a in found.by_practitioner],
            "cash": money.pounds(found.cash_pence),
            "day": day,
            "nav": "billing",
        },
    )


def _range(request) -> tuple[date, date]:
    today = reports.today()
    end = parse_date(request.GET.get("end") or "") or today
    start = parse_date(request.GET.get("start") or "") or date(end.year - 1, end.month, 1)
    if start > end:
        start, end = end, start
    if (end - start).days > 3 * 366:
        start = end - timedelta(days=3 * 366)
    return start, end


def _bars(rows: list[tuple[str, int]], *, width: int = 600) -> list[dict]:
    """A bar chart as plain numbers for an SVG the template draws (no script)."""
    top = max((a for _, a in rows), default=0) or 1
    return [
        {
            "label": label,
            "amount": money.pounds(amount),
            "width": max(int(width * max(amount, 0) / top), 1),
            "y": i * 26,
        }
        for i, (label, amount) in enumerate(rows)
    ]


@never_cache
@require_GET
@staff_view("billing.view_reports")
def billing_reports(request):
    start, end = _range(request)
    wanted = request.GET.get("csv")
    if wanted == "debt":
        return _csv_download(reports.aged_debt_csv(), f"aged-debt-{reports.today()}")
    if wanted == "revenue":
        found = reports.revenue(start, end)
        return _csv_download(reports.revenue_csv(found), f"revenue-{start}-{end}")
    if wanted == "liability":
        on = reports.today()
        rows = reports.liability_csv(courses.liability(on), on)
        return _csv_download(rows, f"prepaid-liability-{on}")
    debt = reports.aged_debt()
    found = reports.revenue(start, end)
    months = [(m.strftime("%b %Y"), a) for m, a in found.by_month]
    owed = courses.liability()
    return render(
        request,
        "billing/reports.html",
        {
            "start": start,
            "end": end,
            "debt": debt,
            "buckets": [
                (label, money.pounds(a))
                for label, a in zip(money.AGE_BUCKETS, debt.buckets, strict=True)
            ],
            "debt_total": money.pounds(debt.total_pence),
            "debts": [{**r, "owed": money.pounds(r["owed_pence"])} for r in debt.rows],
            "revenue_total": money.pounds(found.total_pence),
            "months": _bars(months),
            "chart_height": max(len(months), 1) * 26,
            "by_service": [(n, money.pounds(a)) for n, a in found.by_service],
            "by_practitioner": [(n, money.pounds(a)) for n, a in found.by_practitioner],
            "liability": {**owed, "value": money.pounds(owed["value_pence"])},
            "nav": "billing",
        },
    )


@never_cache
@require_GET
@staff_view("billing.view_reports")
def billing_export(request):
    """The accountant's CSV: invoice lines (Xero's sales invoice columns) or payments."""
    start, end = _range(request)
    kind = request.GET.get("kind", "invoices")
    rows = (
        reports.payment_rows(start, end) if kind == "payments" else reports.invoice_rows(start, end)
    )
    name = "payments" if kind == "payments" else "invoices"
    response = StreamingHttpResponse(
        (spreadsheet.csv_line(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{start}-{end}.csv"'
    return response


def _csv_download(rows, name: str) -> StreamingHttpResponse:
    """A report as a CSV download (money as pounds, two decimals: see reports.py)."""
    response = StreamingHttpResponse(
        (spreadsheet.csv_line(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@never_cache
@require_POST
@staff_view("billing.add_invoice")
def course_sell(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    block = CourseBlock.objects.filter(pk=request.POST.get("block") or 0, is_active=True).first()
    if block is None:
        messages.error(request, "Choose a course to sell.")
        return redirect("billing_patient", pk=patient.pk)
    try:
        course = courses.sell(patient=patient, block=block, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("billing_patient", pk=patient.pk)
    messages.success(
        request, f"{block.name} sold: take payment for {course.invoice.reference} to start it."
    )
    return redirect("billing_invoice", pk=course.invoice.pk)


@require_POST
@staff_view("billing.refund_payment")
def course_refund(request, pk: int):
    course = get_object_or_404(PrepaidCourse, pk=pk)
    try:
        amount = courses.refund_unused(
            course, reason=request.POST.get("reason", ""), user=request.user
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Course closed; {money.pounds(amount)} refunded.")
    return redirect("billing_patient", pk=course.patient_id)


@never_cache
@staff_view("billing.view_insurer")
def insurer_list(request):
    if request.method == "GET" and request.GET.get("format") == "csv":
        rows = reports.insurer_debt_csv(insurers.insurer_debt())
        return _csv_download(rows, f"insurer-debt-{reports.today()}")
    can_add = request.user.has_perm("billing.add_insurer")
    form = InsurerForm(request.POST or None) if can_add else None
    if request.method == "POST":
        if not can_add:
            access_denied.send(
                sender=insurer_list, request=request, object_type="page", detail=request.path[:200]
            )
            raise PermissionDenied
        if form.is_valid():
            insurer = form.save()
            audit.record(AuditAction.CREATE, insurer, detail=insurer.name)
            messages.success(request, f"{insurer.name} added.")
            return redirect("billing_insurers")
    return render(
        request,
        "billing/insurers.html",
        {
            "insurers": Insurer.objects.all(),
            "form": form,
            "debt": [(n, money.pounds(a)) for n, a in insurers.insurer_debt()],
            "nav": "billing",
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@never_cache
@require_POST
@staff_view("billing.add_insurancepolicy")
def policy_add(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    form = PolicyForm(request.POST, auto_id="policy_%s")
    if form.is_valid():
        policy = form.save(commit=False)
        policy.patient = patient
        policy.excess_pence = form.cleaned_data.get("excess") or 0
        policy.save()
        audit.record(AuditAction.CREATE, policy, detail=str(policy))
        messages.success(request, f"{policy.insurer.name} cover recorded.")
        return redirect("billing_patient", pk=patient.pk)
    return _account_page(request, patient, policy_form=form, status=400)


@never_cache
@staff_view("billing.change_billingsettings")
def billing_settings(request):
    clinic = Clinic.objects.order_by("pk").first()
    current = services.settings_for(clinic)
    which = request.POST.get("form") if request.method == "POST" else None
    settings_form = SettingsForm(request.POST if which == "settings" else None, instance=current)
    price_form = PriceForm(request.POST if which == "price" else None)
    vat_form = ServiceVatForm(request.POST if which == "vat" else None)
    bound = {"settings": settings_form, "price": price_form, "vat": vat_form}.get(which)
    if bound is not None and bound.is_valid():
        with transaction.atomic():
            if which == "settings":
                saved = settings_form.save()
                audit.record(AuditAction.CHANGE, saved, changed_fields=settings_form.changed_data)
            elif which == "price":
                price = price_form.save(commit=False)
                price.price_pence = price_form.cleaned_data["price"]
                try:
                    with transaction.atomic():
                        price.save()
                except IntegrityError:
                    price_form.add_error(
                        None,
                        "A price for that service, practitioner, "
                        "concession and date exists already.",
                    )
                    bound = None
                else:
                    audit.record(AuditAction.CREATE, price, detail=str(price))
            else:
                data = vat_form.cleaned_data
                saved, _ = ServiceVat.objects.update_or_create(
                    service=data["service"], defaults={"treatment": data["treatment"]}
                )
                audit.record(AuditAction.CHANGE, saved, detail=str(saved))
        if bound is not None:
            messages.success(request, "Saved.")
            return redirect("billing_settings")
    return render(
        request,
        "billing/settings.html",
        {
            "settings_form": settings_form,
            "price_form": price_form,
            "vat_form": vat_form,
            "prices": Price.objects.select_related("service", "practitioner__user").order_by(
                "service__name", "-effective_from"
            ),
            "vats": ServiceVat.objects.select_related("service"),
            "nav": "billing",
        },
        status=400 if which else 200,
    )


# Paying online (public: the patient opens the link from their email) -------------------


@never_cache
def pay_online(request, token: str):
    try:
        invoice = online.invoice_for(token)
    except ServiceError:
        return render(request, "billing/pay.html", {"gone": True}, status=404)
    chosen = online.provider()
    owed = services.due_on(invoice)
    if request.method == "POST" and chosen is not None and owed > 0:
        here = request.build_absolute_uri(reverse("billing_pay", args=[token]))
        try:
            started = online.start(invoice, chosen, success_url=here + "?paid=1", cancel_url=here)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(started.url)
    return render(
        request,
        "billing/pay.html",
        {
            "invoice": invoice,
            "owed": money.pounds(max(owed, 0)),
            "can_pay": chosen is not None and owed > 0,
            "available": chosen is not None,
            "returned": request.GET.get("paid") == "1",
        },
    )


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's call when a Checkout session completes: verified by the library's
    signature check against the webhook secret, then recorded once."""
    chosen = online.provider()
    if chosen is None:
        return HttpResponse(status=404)
    try:
        paid = chosen.paid_event(request.body, request.headers.get("Stripe-Signature", ""))
    except online.BadSignature:
        return HttpResponse("Bad signature.", status=400)
    if paid is not None:
        try:
            online.record(paid)
        except ServiceError as exc:
            return HttpResponse(exc.message, status=exc.status)
    return HttpResponse("OK")
