"""Every page and API answer says: scripts only from our own files, no camera or the
like, and (static files aside) keep no copy; gunicorn gives no banner."""

import re
from pathlib import Path
from types import SimpleNamespace

from gunicorn.http import wsgi as gunicorn_wsgi

import acuclinic
import acuclinic.gunicorn_conf
from acuclinic.testing.api_client import JsonClient, api_token


def _csp(response) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in response["Content-Security-Policy"].split(";"))
    return {name: value for name, value in parts}


def test_staff_pages_carry_a_strict_script_policy_and_are_never_stored(client, reception_user):
    client.force_login(reception_user)
    response = client.get("/diary/")
    csp = _csp(response)
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in csp["script-src"] and "unsafe-eval" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert "Server" not in response


def test_api_answers_and_the_sign_in_page_are_never_stored(client, reception_user):
    api = JsonClient(token=api_token(reception_user))
    assert "no-store" in api.get("/patients")["Cache-Control"]
    assert "no-store" in client.get("/login/")["Cache-Control"]
    # Refusals too: a 429 or 403 body can name things.
    assert "no-store" in JsonClient(token="acu_x").get("/patients")["Cache-Control"]


def test_static_files_stay_cacheable(client, clinic):
    response = client.get("/static/core/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_no_template_has_an_inline_script_or_event_handler():
    root = Path(acuclinic.__file__).parent
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{template}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{template}: an on…= attribute")
    assert offenders == []


def test_gunicorn_names_no_server_with_the_projects_config():
    fake = SimpleNamespace(
        upgrade=False,
        should_close=lambda: False,
        req=SimpleNamespace(version=(1, 1)),
        status="200 OK",
        version="gunicorn",
        chunked=False,
    )
    lines = gunicorn_wsgi.Response.default_headers(fake)
    assert lines[0].startswith("HTTP/1.1 200")
    assert not any(line.startswith("Server:") for line in lines)
