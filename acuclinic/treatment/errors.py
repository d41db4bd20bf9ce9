"""Refusals specific to the treatment record, on top of core.errors (each with a code)."""

from acuclinic.core.errors import Conflict


class OverrideNeeded(Conflict):
    """Points that meet a patient's safety flags, charted without a reason.

    ``extra["problems"]`` lists each point with what it meets, so the page can show every
    one and ask for the reason once.
    """

    def __init__(self, problems: list[dict]):
        lines = "; ".join(
            f"{p['code']}: {' '.join(c['message'] for c in p['checks'])}" for p in problems
        )
        super().__init__(
            "safety_override_needed",
            "Nothing was charted. These points meet this patient's safety flags: "
            f"{lines} To needle them anyway, record your reason.",
            field="override_reason",
            extra={"problems": problems},
        )
        self.problems = problems


class NoteNotReady(Conflict):
    """A note that cannot be signed yet; ``extra["problems"]`` says everything missing."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(
            "note_not_ready",
            "The note cannot be signed yet: " + " ".join(message for _, message in problems),
            extra={"problems": [{"code": code, "message": message} for code, message in problems]},
        )
        self.problems = problems
