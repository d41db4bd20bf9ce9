"""The demo clinic's money: every visit given is invoiced, numbered without gaps, and
paid, but for a few recent debts; the reports read it."""

from datetime import date

import pytest
from django.db.models import Max

from acuclinic.billing import queries, reports
from acuclinic.billing.models import Invoice, Outstanding, Payment
from acuclinic.demo.spec import DemoSpec
from acuclinic.scheduling.models import Appointment
from acuclinic.testing.module_db import module_demo

SPEC = DemoSpec(today=date(2026, 4, 15), months_back=6)
demo = module_demo(SPEC)


@pytest.mark.django_db
def test_every_visit_given_is_invoiced_once_and_numbered_without_gaps(demo):
    given = Appointment.objects.filter(status__in=["arrived", "completed"]).count()
    assert given > 100
    assert Invoice.objects.filter(purpose="visit").count() == given
    numbers = Invoice.objects.aggregate(m=Max("number"))["m"]
    assert numbers == Invoice.objects.count()
    owed = Outstanding.objects.count()
    assert 0 < owed < given // 10
    assert Payment.objects.count() == given - owed


@pytest.mark.django_db
def test_the_reports_and_a_statement_read_the_demo(demo):
    debt = reports.aged_debt(SPEC.today)
    assert debt.total_pence == sum(o.owed_pence for o in Outstanding.objects.all())
    assert reports.revenue(date(2025, 10, 1), SPEC.today).total_pence > 0
    patient = Outstanding.objects.select_related("patient").first().patient
    assert queries.balance(patient) > 0
