"""Online booking's pages: the public ones (``public``) and reception's check of the
records online bookings made (``checks``)."""
