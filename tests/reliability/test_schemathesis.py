"""Schemathesis over the OpenAPI spec, against a real server on 127.0.0.1: valid and
invalid requests generated from the schema, a bounded number per operation and mode
(derandomized, so every run sends the same requests). No server error, every status and
body as declared, invalid data refused, every error in the one JSON shape, and the server
healthy after each request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from recapqa.settings import Settings

EXAMPLES = 60  # per operation and mode
OPERATIONS = [
    ("POST", "/v1/ask"),
    ("POST", "/v1/chat"),
    ("POST", "/v1/chat/completions"),
    ("GET", "/v1/talks"),
    ("GET", "/v1/models"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
]  # POST /v1/reload is exercised by the reload tests (each call re-reads the corpus)
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
)


@pytest.fixture(scope="module")
def api_schema(server: str) -> Any:
    return schemathesis.openapi.from_url(f"{server}/openapi.json")


def test_every_route_is_in_the_spec(api_schema: Any) -> None:
    listed = {(op.method.upper(), op.path) for op in (r.ok() for r in api_schema.get_all_operations())}
    assert listed == {*OPERATIONS, ("POST", "/v1/reload")}


# invalid data only where there is something to make invalid: the request bodies
RUNS = [(m, p, GenerationMode.POSITIVE) for m, p in OPERATIONS] + [
    (m, p, GenerationMode.NEGATIVE) for m, p in OPERATIONS if m == "POST"
]


@pytest.mark.parametrize(("method", "path", "mode"), RUNS, ids=[f"{m} {p} {g.value}" for m, p, g in RUNS])
def test_generated_requests(
    api_schema: Any, server: str, rel_settings: Settings, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]
    sent: list[int] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case: Any) -> None:
        response = case.call(timeout=30)
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"error"} and {"type", "message", "fix"} <= set(body["error"]), body
            assert str(rel_settings.index_dir) not in response.text
        sent.append(response.status_code)
        assert httpx.get(f"{server}/healthz", timeout=10).status_code == 200

    run()
    assert sent, "schemathesis sent no request"
