"""The clinic's logo: checked on upload, kept in the database, served publicly.

Only PNG and JPEG are taken: SVG can carry script, and a logo is shown on pages,
emails and PDF invoices, which all draw PNG and JPEG. An upload is checked by its
first bytes and then decoded by Pillow, so a file that only claims to be an image (or a
decompression bomb) is refused with a clear message; nothing is written then.
"""

import hashlib
import io
import warnings

from django.db import transaction

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Clinic
from acuclinic.core.errors import InvalidRequest

MAX_BYTES = 512 * 1024
MAX_SIDE = 2000
# First bytes of each kind taken, and the content type it is served with.
MAGIC = {b"\x89PNG\r\n\x1a\n": ("PNG", "image/png"), b"\xff\xd8\xff": ("JPEG", "image/jpeg")}
EXTENSION = {"image/png": "png", "image/jpeg": "jpg"}


def _refuse(message: str) -> InvalidRequest:
    return InvalidRequest("invalid_logo", message, field="logo")


def check(data: bytes) -> str:
    """The content type of a logo the clinic may use, or ``InvalidRequest``."""
    if not data:
        raise _refuse("Choose an image file for the logo.")
    if len(data) > MAX_BYTES:
        raise _refuse(
            f"The logo is {len(data) // 1024} KB; the most is {MAX_BYTES // 1024} KB. "
            "Save it smaller (a logo needs no more than about 600 pixels across)."
        )
    kind = next(((k, t) for magic, (k, t) in MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        raise _refuse("The logo must be a PNG or JPEG image.")
    # Pillow is needed only when a logo is uploaded: not in every web process from start.
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                width, height, found = image.width, image.height, image.format
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise _refuse("That file is not a readable PNG or JPEG image.") from exc
    if found != kind[0]:
        raise _refuse("The logo must be a PNG or JPEG image.")
    if width > MAX_SIDE or height > MAX_SIDE:
        raise _refuse(f"The logo is {width}×{height} pixels; the most is {MAX_SIDE} on each side.")
    return kind[1]


def logo_set(clinic: Clinic, data: bytes, *, user=None) -> Clinic:
    content_type = check(data)
    with transaction.atomic():
        row = Clinic.objects.select_for_update().get(pk=clinic.pk)
        row.logo = data
        row.logo_type = content_type
        row.logo_digest = hashlib.sha256(data).hexdigest()[:16]
        row.save(update_fields=["logo", "logo_type", "logo_digest"])
        audit.record(AuditAction.CHANGE, row, changed_fields=["logo"], user=user)
    return row


def logo_remove(clinic: Clinic, *, user=None) -> Clinic:
    with transaction.atomic():
        row = Clinic.objects.select_for_update().get(pk=clinic.pk)
        if row.logo_digest:
            row.logo, row.logo_type, row.logo_digest = b"", "", ""
            row.save(update_fields=["logo", "logo_type", "logo_digest"])
            audit.record(AuditAction.CHANGE, row, changed_fields=["logo"], user=user)
    return row
