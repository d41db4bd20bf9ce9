"""What the scheduling API's answers share: references to people and places, one
appointment, one free slot, a cancellation."""

from datetime import datetime

from ninja import Schema
from pydantic import Field

from acuclinic.core.api_types import InputSchema, get_or_404, text
from acuclinic.core.formats import format_datetime
from acuclinic.scheduling.choices import AppointmentStatus, CancelledBy, Channel
from acuclinic.scheduling.models import Appointment


class PatientRef(Schema):
    id: int
    full_name: str


class PractitionerRef(Schema):
    id: int
    name: str


class RoomRef(Schema):
    id: int
    name: str


class LocationRef(Schema):
    id: int
    name: str
    time_zone: str


class ServiceRef(Schema):
    id: int
    name: str
    modality: str
    price_pence: int
    price_display: str


class SeriesRef(Schema):
    id: int
    index: int  # 3 in "session 3 of 6"
    sessions: int
    display: str  # "Session 3 of 6"


class AppointmentOut(Schema):
    id: int
    status: AppointmentStatus
    status_display: str
    start: datetime
    end: datetime
    held_until: datetime = Field(description="The end plus the service's turnover.")
    start_display: str  # "Tue 3 Mar 2026, 10:00", in the location's time zone
    patient: PatientRef
    practitioner: PractitionerRef
    service: ServiceRef
    room: RoomRef
    location: LocationRef
    channel: Channel
    notes: str
    cancelled_at: datetime | None
    cancellation_reason: str
    cancelled_by: CancelledBy | None
    extra_session: bool = Field(description="Booked outside working time, on purpose.")
    series: SeriesRef | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_status_display(obj: Appointment) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_held_until(obj: Appointment) -> datetime:
        return obj.held_until.astimezone(obj.room.location.tz)

    @staticmethod
    def resolve_cancelled_by(obj: Appointment) -> str | None:
        return obj.cancelled_by or None

    @staticmethod
    def resolve_series(obj: Appointment) -> dict | None:
        if obj.series_id is None:
            return None
        return {
            "id": obj.series_id,
            "index": obj.series_index,
            "sessions": obj.series.sessions,
            "display": obj.series_position_display,
        }

    @staticmethod
    def resolve_start(obj: Appointment) -> datetime:
        return obj.start.astimezone(obj.room.location.tz)

    @staticmethod
    def resolve_end(obj: Appointment) -> datetime:
        return obj.end.astimezone(obj.room.location.tz)

    @staticmethod
    def resolve_start_display(obj: Appointment) -> str:
        return format_datetime(obj.start, obj.room.location.tz)


class SlotOut(Schema):
    start: datetime
    end: datetime
    start_display: str
    practitioner: PractitionerRef
    room: RoomRef


class CancelIn(InputSchema):
    reason: text(200) = ""
    by: CancelledBy = Field(
        CancelledBy.PATIENT,
        description="Who cancelled: only the patient's own cancellation can be late.",
    )


def appointment_or_404(appointment_id: int) -> Appointment:
    return get_or_404(Appointment.objects.for_diary(), appointment_id, "appointment")


def appointment_json(appointment_id: int) -> dict:
    return AppointmentOut.from_orm(appointment_or_404(appointment_id)).model_dump()
