"""Scheduling's part of the JSON API, one module per subject: ``appointments`` (the diary,
booking, changes, free slots, attendance), ``series`` (courses of sessions) and
``working_time``; ``schemas`` holds what their answers share."""

from ninja import Router

from acuclinic.scheduling.api import appointments, series, working_time

router = Router()
router.add_router("", series.router)
router.add_router("", working_time.router)
router.add_router("", appointments.router)
