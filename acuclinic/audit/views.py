from datetime import timedelta

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from acuclinic.audit.forms import AuditFilter
from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.audit.queries import filter_entries
from acuclinic.core.access import staff_view

PAGE_SIZE = 50


@staff_view("audit.view_auditentry")
def audit_list(request):
    form = AuditFilter(request.GET or None)
    entries = filter_entries(**form.cleaned_data) if form.is_valid() else filter_entries()
    if form.is_bound and not form.is_valid():
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "nav": "audit",
            # Many patients' records read in a short time: put in front of the admin.
            "bulk_reads": AuditEntry.objects.filter(
                action=AuditAction.BULK_READ, at__gte=timezone.now() - timedelta(days=30)
            )[:20],
        },
    )
