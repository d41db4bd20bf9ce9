"""Calendar feeds: a practitioner's appointments as iCalendar (``ical``) and the secret
subscription URLs that reach them (``tokens``)."""
