from django import template

from acuclinic.core.formats import format_date, format_datetime

register = template.Library()


@register.filter
def ukdate(value):
    return format_date(value) if value else ""


@register.filter
def ukdatetime(value, tz=None):
    if not value:
        return ""
    return format_datetime(value, tz) if tz else format_datetime(value)


@register.filter
def hhmm(value, tz=None):
    from acuclinic.core.formats import LONDON

    return value.astimezone(tz or LONDON).strftime("%H:%M") if value else ""
