"""Every API endpoint answers hostile input with a JSON 4xx, never a 500 or an HTML page.

The endpoints and their verbs and parameters come from the OpenAPI schema, so an endpoint added
later is swept too (and a path parameter this file has no value for fails loudly).
"""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from enablement.models import UsageEvent
from tests.enablement.api.conftest import client_for

JSON_4XX = {400, 401, 403, 404, 405, 413, 415}
SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
OPERATIONS = [
    (path, method.upper(), operation)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
]
WITH_BODY = [(p, m, o) for p, m, o in OPERATIONS if "requestBody" in o]
NESTED = "[" * 10_000 + "]" * 10_000


def _ids(operations) -> list[str]:
    return [f"{m} {p}" for p, m, _ in operations]


def _url(world: dict, path: str) -> str:
    """The schema path with real objects in it, so each request gets as far as reading its body."""
    collection = path.split("/")[3]  # /api/v1/<collection>/…
    slugs = {"assets": world["asset"].slug, "stages": "proposal", "buyer-roles": "champion"}
    values = {
        "slug": slugs.get(collection),
        "deal_id": world["deal"].external_id,
        "id": str(world["room"].pk),
    }
    for name in re.findall(r"{(\w+)}", path):
        assert values.get(name), f"No value for {{{name}}} of {path}: add one to _url()."
        path = path.replace(f"{{{name}}}", values[name])
    return path


def _field_names(operation: dict) -> list[str]:
    """The request body's property names, so the bad value sits in a field the view would read."""
    media = operation["requestBody"]["content"]["application/json"]["schema"]
    media = media.get("items", media)
    name = media["$ref"].rsplit("/", 1)[1]
    return list(SCHEMA["components"]["schemas"][name]["properties"])


def _body_with(operation: dict, bad: str) -> str:
    body: dict | list = {name: bad for name in _field_names(operation)}
    if operation["requestBody"]["content"]["application/json"]["schema"].get("type") == "array":
        body = [body]
    return json.dumps(body)  # ensure_ascii: a lone surrogate travels as the text \ud800


def assert_json_4xx(response) -> dict:
    assert response.status_code in JSON_4XX, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body, dict) and body, body
    return body


def send(client: APIClient, method: str, url: str, body: str | bytes, content_type="application/json"):
    return client.generic(method, url, body, content_type=content_type)


def test_the_sweep_covers_every_endpoint_and_every_writing_verb():
    assert len(OPERATIONS) >= 19 and len(WITH_BODY) >= 6
    assert ("/api/v1/usage-events/", "POST") in [(p, m) for p, m, _ in WITH_BODY]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "operation"), WITH_BODY, ids=_ids(WITH_BODY))
@pytest.mark.parametrize("actor", ["token", "anonymous"])
def test_a_body_nested_ten_thousand_levels_deep_is_a_json_4xx(world, path, method, operation, actor):
    response = send(client_for(world, actor), method, _url(world, path), NESTED)
    body = assert_json_4xx(response)
    if actor == "token":
        assert response.status_code == 400 and "nested" in body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "operation"), WITH_BODY, ids=_ids(WITH_BODY))
@pytest.mark.parametrize(
    ("bad", "named"), [("\ud800", "lone surrogate"), ("\x00", "NUL")], ids=["surrogate", "nul"]
)
def test_a_lone_surrogate_or_a_nul_in_a_string_value_is_a_json_400_naming_it(
    world, path, method, operation, bad, named
):
    response = send(client_for(world, "token"), method, _url(world, path), _body_with(operation, bad))
    body = assert_json_4xx(response)
    assert response.status_code == 400 and named in body["detail"], body


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=_ids(OPERATIONS))
@pytest.mark.parametrize("actor", ["token", "anonymous"])
def test_a_nul_in_any_query_parameter_is_a_json_400(world, path, method, operation, actor):
    client = client_for(world, actor)
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"] + ["q"]
    for name in names:
        response = send(client, method, f"{_url(world, path)}?{name}=a%00b", "{}")
        body = assert_json_4xx(response)
        assert response.status_code == 400 and "NUL" in body["detail"], (name, body)


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "operation"), OPERATIONS, ids=_ids(OPERATIONS))
def test_a_twenty_megabyte_body_is_a_json_413(world, path, method, operation):
    big = b'{"event_id": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    response = send(client_for(world, "token"), method, _url(world, path), big)
    body = assert_json_4xx(response)
    assert response.status_code == 413 and "larger than" in body["detail"]


@pytest.mark.django_db
def test_a_body_just_under_the_limit_is_read_and_judged_on_its_content(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    event = {"event_id": "big", "deal_id": "R1", "asset": "roi-calculator", "action": "presented"}
    body = json.dumps([event, {"padding": "x" * 3800}])
    response = send(client_for(world, "token"), "POST", "/api/v1/usage-events/", body)
    assert response.status_code == 200 and response.json()["created"] == 1
    too_big = json.dumps([event, {"padding": "x" * 4096}])
    assert send(client_for(world, "token"), "POST", "/api/v1/usage-events/", too_big).status_code == 413


@pytest.mark.django_db
def test_a_surrogate_in_event_id_is_refused_whole_and_nothing_is_stored(world):
    body = '[{"event_id": "ok", "deal_id": "R1", "asset": "roi-calculator", "action": "viewed"},'
    body += ' {"event_id": "\\ud800", "deal_id": "R1", "asset": "roi-calculator", "action": "viewed"}]'
    response = send(client_for(world, "token"), "POST", "/api/v1/usage-events/", body)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The string at $[1].event_id holds a lone surrogate (\\ud800), which is not valid Unicode."
    }
    assert not UsageEvent.objects.exists()


@pytest.mark.django_db
def test_a_nul_in_a_key_is_named_by_where_it_is(world):
    response = send(client_for(world, "token"), "POST", "/api/v1/deals/", '{"name": "A", "a\\u0000b": 1}')
    assert response.status_code == 400
    assert response.json()["detail"] == 'A key in $ ("a\\u0000b") holds a NUL character (\\u0000).'


@pytest.mark.django_db
def test_nesting_up_to_the_limit_is_parsed_and_one_level_more_is_refused(world):
    from config.api.parsers import MAX_DEPTH

    client = client_for(world, "token")
    inner = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    at_limit = send(client, "POST", "/api/v1/deals/", f'{{"deal_id": "D", "name": {inner}}}')
    assert at_limit.status_code == 400 and "name" in at_limit.json()  # judged by the serializer
    deeper = send(client, "POST", "/api/v1/deals/", f'{{"deal_id": "D", "name": [{inner}]}}')
    assert deeper.status_code == 400
    assert deeper.json() == {"detail": f"The JSON body is nested more than {MAX_DEPTH} levels deep."}


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["1e999", "-1e999"])
def test_a_number_too_large_for_a_float_is_refused(world, number):
    response = send(client_for(world, "token"), "POST", "/api/v1/deals/", f'{{"amount": {number}}}')
    assert response.status_code == 400 and "finite" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]
)
def test_the_api_reads_json_only_and_says_so(world, content_type):
    response = send(client_for(world, "token"), "POST", "/api/v1/deals/", b"name=a%00b", content_type)
    assert response.status_code == 415 and "Unsupported media type" in response.json()["detail"]


@pytest.mark.django_db
def test_more_query_fields_than_django_accepts_is_a_json_400(world):
    query = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client_for(world, "token").get(f"/api/v1/assets/?{query}")
    assert_json_4xx(response)
    assert response.status_code == 400 and "fields" in response.json()["detail"]


@pytest.mark.django_db
def test_a_nul_in_the_path_is_a_json_400(world):
    response = client_for(world, "token").get("/api/v1/deals/R%001/")
    assert response.status_code == 400 and "NUL" in response.json()["detail"]


@pytest.mark.django_db
def test_a_search_longer_than_the_portals_search_box_is_a_400_naming_q(world):
    response = client_for(world, "token").get("/api/v1/assets/", {"q": "calculator " * 10_000})
    assert response.status_code == 400 and "at most 200 characters" in response.json()["q"][0]
    found = client_for(world, "token").get("/api/v1/assets/", {"q": "calculator"}).json()["results"]
    assert [a["slug"] for a in found] == ["roi-calculator"]
