"""Refusals specific to screening, on top of core.errors (each with a stable code)."""

from acuclinic.core.errors import InvalidRequest, ServiceError


class InvalidAnswers(InvalidRequest):
    """A questionnaire with problems; ``extra["errors"]`` names each field's problem."""

    def __init__(self, errors):
        count = len(errors)
        super().__init__(
            "invalid_answers",
            f"{count} answer{'s' if count != 1 else ''} need{'' if count != 1 else 's'} "
            "checking before the questionnaire can be saved. Nothing has been saved.",
            field=errors[0].field,
            extra={
                "errors": [{"field": e.field, "code": e.code, "message": e.message} for e in errors]
            },
        )
        self.errors = list(errors)


class LinkUnusable(ServiceError):
    """A questionnaire link that is unknown, expired or already used."""

    status = 410


class DeliveryFailed(ServiceError):
    """The email could not be handed to the mail server."""

    status = 502
