"""The diary's cards and free times as HTML, written in Python rather than by a template
included once per card: a week of twenty practitioners has hundreds of cards, and the
template engine's cost per variable was most of the page's time. Every value is escaped
(``escape``: the standard library's, as Django's own is, without the wrapping that made
it a good part of a week's cost); the page template (diary.html) places the result.

What a card says is what the card template said before: the time, the patient, the kind
of visit and its status in words, the course session and the other apps' flags (set on
the appointment by the ``diary_cards`` receivers), and a disclosure with more, including
the patient's safety at a glance (safety's box, written once per patient by the view).
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape as _escape

from django.utils.safestring import SafeString, mark_safe

from acuclinic.core.formats import LONDON, format_date
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.diary.addresses import BookingLinks, by_pk
from acuclinic.scheduling.diary.layout import Card, Column


@dataclass
class Page:
    """What every card and free time on one diary page shares."""

    view: str  # "day" or "week"
    chosen: bool  # one practitioner chosen
    can_move: bool
    can_book: bool
    location_id: int
    moving: object | None = None  # the appointment being moved, if any

    def __post_init__(self):
        self.detail = by_pk("appointment_detail")
        self.move = by_pk("appointment_move")
        self.drop = by_pk("appointment_drop")
        self.confirm = by_pk("appointment_move_confirm")
        self.book = BookingLinks(self.location_id)


def escape(value) -> str:
    return _escape(str(value))


# Each status in words, escaped once: a card says it twice, and Django's
# get_status_display() looks the label up afresh each time.
STATUS_WORDS = {value: _escape(label) for value, label in AppointmentStatus.choices}


@lru_cache(maxsize=1024)
def _day(day: date) -> str:
    """A day as cards say it: a week's cards name five days and a few hundred birthdays,
    each many times over."""
    return format_date(day)


def _tags(a) -> str:
    """The card's small labels: its status in words, then what other apps added."""
    parts = [f'<span class="st">{STATUS_WORDS[a.status]}</span>']
    session = getattr(a, "course_session", None)
    if session:
        parts.append(f' <span class="series">session {escape(session)}</span>')
    seen = getattr(a, "safety", None)
    if seen and seen.status.has_flags:
        parts.append(' <span class="flagged">Safety flags</span>')
    if getattr(a, "questionnaire_due", False):
        parts.append(' <span class="due">Questionnaire due</span>')
    prepaid = getattr(a, "prepaid", "")
    if prepaid:
        parts.append(f' <span class="prepaid">Prepaid {escape(prepaid)}</span>')
    if getattr(a, "prepaid_last", False):
        parts.append(' <span class="due">Last prepaid session</span>')
    insurer_left = getattr(a, "insurer_left", None)
    if insurer_left is not None:
        said = "Last insured session" if insurer_left else "Insurer: no sessions left"
        parts.append(f' <span class="due">{said}</span>')
    return "".join(parts)


def card_html(card: Card, column: Column, page: Page, glance: str) -> SafeString:
    """One visit's card (``<li id="appt-…">``); ``glance`` is the patient's safety at a
    glance, already rendered (or "")."""
    a = card.appointment
    movable = page.can_move and a.status == AppointmentStatus.BOOKED
    start, end = a.start.astimezone(LONDON), a.end.astimezone(LONDON)
    starts, ends = f"{start:%H:%M}", f"{end:%H:%M}"
    who = escape(a.patient.full_name)
    service, practitioner = escape(a.service.name), escape(a.practitioner.name)
    room = escape(a.room.name)
    status = STATUS_WORDS[a.status]
    open_url = page.detail(a.pk)
    drag = (
        f' draggable="true" data-move="{page.drop(a.pk)}"'
        f' data-confirm="{page.confirm(a.pk)}" data-who="{who}"'
        if movable
        else ""
    )
    what = service
    if (page.view == "week" and not page.chosen) or column.room:
        what += f" · {practitioner}"
    if not column.room:
        what += f" · {room}"
    session = getattr(a, "course_session", None)
    born = a.patient.date_of_birth
    move_link = f' <a href="{page.move(a.pk)}">Move</a>' if movable else ""
    return mark_safe(
        f'<li id="appt-{a.pk}" class="appt status-{escape(a.status)}'
        f' modality-{escape(a.service.modality)}" style="grid-row: {card.row_start} /'
        f" {card.row_end}; grid-column: {card.lane}; --prac:"
        f' {escape(a.practitioner.colour)}"{drag}>\n'
        f'  <a class="open" href="{open_url}"><span class="t">{starts}–{ends}</span>'
        f' <span class="who">{who}</span></a>\n'
        f'  <span class="tags">{_tags(a)}</span>\n'
        f'  <span class="what">{what}</span>\n'
        f'  <details class="more">\n'
        f'    <summary><span aria-hidden="true">More</span><span class="visually-hidden">'
        f"More about {who} at {starts}</span></summary>\n"
        f'    <div class="pop">\n'
        f"      <p><strong>{who}</strong>, born {_day(born) if born else ''}</p>\n"
        f"      <p>{service} with {practitioner} in {room}, {_day(start.date())}, {starts}"
        f"–{ends}. {status}."
        + (f" Session {escape(session)} of the course." if session else "")
        + "</p>\n"
        f"      {glance}\n"
        f'      <p class="pop-actions"><a href="{open_url}">Open</a>{move_link}</p>\n'
        f"    </div>\n"
        f"  </details>\n"
        f"</li>\n"
    )


def free_html(slot, column: Column, page: Page) -> SafeString:
    """One free time (``<li class="free">``): a link that books it, or, while a visit is
    being moved, one that moves the visit there. "" when the user may do neither."""
    practitioner, room, moving = column.practitioner, column.room, page.moving
    local = slot.start.astimezone(LONDON)  # as the template's date filter showed it
    starts = f"{local:%H:%M}"
    on_day = f" on {format_date(column.day)}" if page.view == "week" else ""
    with_whom = f" with {escape(practitioner.name)}" if practitioner else ""
    where = f" in {escape(room.name)}" if room else ""
    if moving is not None:
        url = (
            f"{page.move(moving.pk)}?date={local:%Y-%m-%d}&amp;time={starts}&amp;practitioner="
            f"{practitioner.pk if practitioner else moving.practitioner_id}"
        )
        if room:
            url += f"&amp;room={room.pk}"
        elif moving.room.location_id == page.location_id:
            url += f"&amp;room={moving.room_id}"
        label = f"Move {escape(moving.patient.full_name)} to {starts}{on_day}{with_whom}{where}"
        return mark_safe(
            f'<li class="free moving-target" style="grid-row: {slot.row} / span 2">'
            f'<a href="{url}" aria-label="{label}">→ {starts}</a></li>\n'
        )
    if not page.can_book:
        return mark_safe("")
    data = ""
    if page.can_move:
        data = f' data-start="{local.isoformat()}"'
        if practitioner:
            data += f' data-practitioner="{practitioner.pk}"'
        if room:
            data += f' data-room="{room.pk}"'
    url = escape(
        page.book(
            local,
            practitioner=practitioner.pk if practitioner else None,
            room=room.pk if room else None,
        )
    )
    whom = (f"{escape(practitioner.name)} " if practitioner else "") + (
        f"{escape(room.name)} " if room else ""
    )
    return mark_safe(
        f'<li class="free" style="grid-row: {slot.row} / span 2"{data}>'
        f'<a href="{url}" aria-label="Book {whom}at {starts}{on_day}">+ {starts}</a></li>\n'
    )


def column_html(column: Column, page: Page, glances: dict[int, str]) -> SafeString:
    """A column's free times, then its cards, in the order the page lists them."""
    free = "".join(free_html(slot, column, page) for slot in column.free)
    cards = "".join(
        card_html(card, column, page, glances.get(card.appointment.patient_id, ""))
        for card in column.cards
    )
    return mark_safe(free + cards)


def columns_html(columns: list[Column], page: Page, glances: dict[int, str]) -> SafeString:
    """Every column of the grid (``<section class="diary-col">``): its heading, its
    closures and breaks, then ``column_html``. Written here, not by the page's template,
    for the same reason as the cards: a week has a hundred columns."""
    return mark_safe("".join(_section(column, page, glances) for column in columns))


def _section(column: Column, page: Page, glances: dict[int, str]) -> str:
    label = escape(column.label)
    named = f"{label} {_day(column.day)}" if page.view == "week" else label
    closed = f'<li class="closed-note">{escape(column.note)}</li>' if column.closed else ""
    blocked = "".join(
        f'<li class="blocked" style="grid-row: {b.row_start} / {b.row_end}">{escape(b.reason)}</li>'
        for b in column.blocked
    )
    return (
        f'\n  <section class="diary-col{" closed" if column.closed else ""}"'
        f' aria-label="{named}">\n'
        f'    <h2 class="col-head">{label}</h2>\n'
        f'    <ol class="col-body" style="--lanes: {column.lanes}">\n'
        f"      {closed}\n"
        f"      {blocked}\n"
        f"      {column_html(column, page, glances)}\n"
        f"    </ol>\n"
        f"  </section>\n  "
    )
