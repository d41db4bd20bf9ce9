from django import forms

from acuclinic.core.errors import ServiceError


def apply_service_error(
    form: forms.Form, exc: ServiceError, *, aliases: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the field it concerns, or above the form."""
    field = (aliases or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)
