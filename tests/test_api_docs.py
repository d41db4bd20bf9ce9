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
    paths = client.get(f"{BASE}/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            forbidden = operation["responses"].get("403", {})
            schema = forbidden.get("content", {}).get("application/json", {}).get("schema", {})
            assert schema.get("$ref", "").endswith("/ErrorOut"), f"{method} {path}"


def test_the_docs_page_loads_its_scripts_from_this_server(client):
    # Staff open it while signed in: no third-party script should run beside their session.
    page = client.get(f"{BASE}/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
