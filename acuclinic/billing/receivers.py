"""Billing listens to scheduling: a visit booked, attended, missed or cancelled."""

from django.dispatch import receiver

from acuclinic.billing import services
from acuclinic.scheduling.signals import visit_status_changed


@receiver(visit_status_changed, dispatch_uid="billing.visit_status_changed")
def visit_changed(sender, appointment, old, new, **kwargs):
    services.on_visit_status(appointment, old=old, new=new)
