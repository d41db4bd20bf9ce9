"""Refusals specific to the portal, on top of core.errors (each with a stable code)."""

from acuclinic.core.errors import ServiceError


class LinkUnusable(ServiceError):
    """A sign-in link that is unknown, expired or already used."""

    status = 410


class TooManyRequests(ServiceError):
    """Too many sign-in links asked for, for one address or from one place."""

    status = 429
