"""The API's own description: the OpenAPI document and the docs page built from it."""

from acuclinic.testing.api_client import BASE


def test_the_openapi_document_is_public_and_describes_the_api(client):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "acuclinic"
    assert "naive_datetime" in document["info"]["description"]


def test_the_openapi_document_offers_both_ways_to_authenticate(client):
    schemes = client.get(f"{BASE}/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert schemes["Session"]["in"] == "cookie"


def test_every_error_response_is_documented_with_the_error_shape(client):
    # 422 included: ninja's own codes_4xx leaves it out, so invalid input was undocumented.
    paths = client.get(f"{BASE}/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "409", "422", "429"):
                response = operation["responses"].get(status, {})
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                assert schema.get("$ref", "").endswith("/ErrorOut"), f"{method} {path} {status}"


def test_the_docs_page_loads_its_scripts_from_this_server(client):
    # Staff open it while signed in: no third-party script should run beside their session.
    page = client.get(f"{BASE}/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_operation_ids_stay_as_published_when_endpoints_move_between_modules(client):
    # Client generators name their methods after operation ids; the enquiry, waitlist and
    # appointment endpoints moved modules (issue 13) and keep the ids published before.
    paths = client.get(f"{BASE}/openapi.json").json()["paths"]
    ids = {
        (method, path): operation["operationId"]
        for path, operations in paths.items()
        for method, operation in operations.items()
    }
    assert ids[("get", f"{BASE}/enquiries")] == "acuclinic_scheduling_api_enquiries_list_enquiries"
    assert ids[("post", f"{BASE}/waitlist")] == "acuclinic_scheduling_api_waitlist_add_entry"
    assert ids[("get", f"{BASE}/appointments")] == "acuclinic_scheduling_api_list_appointments"
    assert ids[("get", f"{BASE}/appointments/{{appointment_id}}/messages")] == (
        "acuclinic_notifications_api_appointment_messages"
    )
    assert len(set(ids.values())) == len(ids)


def test_times_of_day_are_not_declared_with_an_offset_they_do_not_carry(client):
    # JSON Schema's "time" format is RFC 3339's full-time, which carries an offset; the
    # API's times of day are wall-clock times at the location ("09:30").
    document = client.get(f"{BASE}/openapi.json").content.decode()
    assert '"format": "time"' not in document and '"format":"time"' not in document
    earliest = client.get(f"{BASE}/openapi.json").json()["components"]["schemas"]["EntryOut"][
        "properties"
    ]["earliest"]
    assert earliest["type"] == "string" and earliest["pattern"].startswith("^")
