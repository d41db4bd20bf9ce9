"""Every form field's hint and errors are tied to its input for screen readers: each id
an input's aria-describedby names is on the page, once (WCAG 1.3.1, 3.3.1)."""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from acuclinic.testing import factories

pytestmark = pytest.mark.django_db


class Descriptions(HTMLParser):
    """The ids on a page, and what each form control's aria-describedby names."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter = Counter()
        self.described: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        if tag in ("input", "select", "textarea") and attrs.get("aria-describedby"):
            self.described[attrs.get("name", "")] = attrs["aria-describedby"].split()


def descriptions(response) -> Descriptions:
    parser = Descriptions()
    parser.feed(response.content.decode())
    return parser


def assert_every_description_is_on_the_page(found: Descriptions) -> None:
    for name, ids in found.described.items():
        for wanted in ids:
            assert found.ids[wanted] == 1, (
                f"{name}: #{wanted} is on the page {found.ids[wanted]} times"
            )


def test_a_field_s_hint_is_read_with_it(client, admin_user, clinic):
    client.force_login(admin_user)
    found = descriptions(client.get(reverse("booking_rules")))
    assert found.described, "the booking rules have hints"
    assert_every_description_is_on_the_page(found)


def test_a_field_s_errors_are_read_with_it(client, reception_user):
    client.force_login(reception_user)
    data = factories.patient_form_data(nhs_number="999 000 0019", email="not an address")
    found = descriptions(client.post(reverse("patient_create"), data))
    assert {"nhs_number", "email"} <= set(found.described)
    assert "id_nhs_number_error" in found.described["nhs_number"]
    assert_every_description_is_on_the_page(found)
