"""Scheduling's pages, one module per subject: ``appointments`` (booking, moving,
cancelling, status), ``diary``, ``series`` (courses of sessions), ``working_time`` (with
room closures and the free-time search) and ``feeds`` (calendar subscriptions)."""
