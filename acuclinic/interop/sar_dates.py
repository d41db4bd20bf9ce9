"""When a subject access request is due: one calendar month after receipt (no Django).

ICO guidance on the right of access: the month runs to the corresponding calendar date
in the next month; where there is none (31 January), to the last day of that month; where
that day is a weekend, to the next working day. (Bank holidays also move it; the register
shows the date for staff to act well before it.)
"""

import calendar
from datetime import date, timedelta


def one_month_after(received: date) -> date:
    year, month = (
        (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    )
    last = calendar.monthrange(year, month)[1]
    due = date(year, month, min(received.day, last))
    while due.weekday() >= 5:
        due += timedelta(days=1)
    return due
