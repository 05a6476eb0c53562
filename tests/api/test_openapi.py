"""The OpenAPI spec declares every error a route can answer, in the one error shape."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_every_route_declares_its_errors_in_the_error_shape(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    error_ref = "#/components/schemas/ErrorOut"
    error_body = spec["components"]["schemas"]["ErrorBody"]
    assert set(error_body["required"]) >= {"type", "message"} and "fix" in error_body["properties"]
    assert "HTTPValidationError" not in spec["components"]["schemas"], "FastAPI's own 422 shape is not used"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            declared = {int(code) for code in responses if code != "200"}
            wanted = {404, 405, 500} | ({400, 401, 413, 422, 503} if path.startswith("/v1/") else set())
            assert wanted <= declared, (method, path, wanted - declared)
            for code in declared:
                schema = responses[str(code)]["content"]["application/json"]["schema"]
                assert schema == {"$ref": error_ref}, (method, path, code, schema)


def test_strict_types_are_in_the_spec(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    k = schemas["AskRequest"]["properties"]["k"]["anyOf"][0]
    assert k["type"] == "integer" and (k["minimum"], k["maximum"]) == (1, 50)
    assert schemas["ChatRequest"]["properties"]["stream"]["type"] == "boolean"
