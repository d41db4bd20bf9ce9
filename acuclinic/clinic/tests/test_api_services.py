"""The clinic's services and locations in the JSON API: what can be booked, where, when."""

import pytest

from acuclinic.clinic.models import Location, OpeningHours, Room, Service
from acuclinic.testing.api_client import as_user


@pytest.fixture
def reception(reception_user):
    return as_user(reception_user)


def test_services_are_listed_by_name_with_price_in_pence_and_for_display(reception, clinic):
    response = reception.get("/services")

    assert response.status_code == 200
    services = response.json()
    assert [s["name"] for s in services] == [
        "Assessment and acupuncture",
        "Follow-up",
        "Medical acupuncture",
        "Traditional acupuncture",
    ]
    medical = services[2]
    assert (medical["price_pence"], medical["price_display"]) == (5000, "£50.00")
    assert (medical["modality"], medical["duration_minutes"]) == ("medical", 30)
    assert medical["needs_acupuncture_qualification"] is True
    assert services[1]["needs_acupuncture_qualification"] is False


def test_a_price_with_pence_is_shown_to_the_penny(reception, clinic):
    service = Service.objects.get(name="Follow-up")
    service.price_pence = 4505
    service.save()
    body = reception.get(f"/services/{service.pk}").json()
    assert (body["price_pence"], body["price_display"]) == (4505, "£45.05")


def test_a_withdrawn_service_is_listed_as_inactive(reception, clinic):
    Service.objects.filter(name="Follow-up").update(is_active=False)
    listed = {s["name"]: s["is_active"] for s in reception.get("/services").json()}
    assert listed["Follow-up"] is False
    assert listed["Medical acupuncture"] is True


def test_an_unknown_service_is_404(reception, clinic):
    response = reception.get("/services/404404")
    assert response.status_code == 404
    assert response.json() == {
        "code": "unknown_service",
        "message": "There is no service with id 404404.",
        "field": "service",
    }


def test_a_service_id_that_is_not_a_number_is_422(reception, clinic):
    assert reception.get("/services/medical").status_code == 422


def test_locations_come_with_their_rooms_and_opening_hours(reception, clinic):
    response = reception.get("/locations")

    assert response.status_code == 200
    [location] = response.json()
    assert location["name"] == "Riverside"
    assert location["address"] == "1 Mill Lane, Testford, TE1 1ST"
    assert location["time_zone"] == "Europe/London"
    assert [r["name"] for r in location["rooms"]] == ["Room 1", "Room 2"]
    assert len(location["opening_hours"]) == 6  # Monday to Saturday
    assert location["opening_hours"][0] == {
        "weekday": 0,
        "weekday_display": "Monday",
        "opens": "08:00",
        "closes": "20:00",
    }


def test_listing_locations_takes_the_same_queries_for_one_or_many(
    reception, clinic, django_assert_max_num_queries
):
    for n in range(4):
        site = Location.objects.create(
            clinic=clinic, name=f"Site {n}", address_line1="1 Road", town="T", postcode="T1"
        )
        Room.objects.create(location=site, name="Room A")
        OpeningHours.objects.create(location=site, weekday=0, opens="09:00", closes="17:00")
    with django_assert_max_num_queries(8):
        assert len(reception.get("/locations").json()) == 5


@pytest.mark.parametrize("path", ["/services", "/locations"])
def test_someone_without_a_role_is_refused(outsider, clinic, path):
    response = as_user(outsider).get(path)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
