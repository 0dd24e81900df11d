"""API/openapi.yaml describes the server that runs: its listing parameters are exactly the
ones the server reports at /help/?format=json, and its sort values likewise."""

from __future__ import annotations

import yaml

from http_client import get_json

PAGING = {"page", "cursor", "sort_value", "sort_order", "format"}


def load_document(repo_root) -> dict:
    return yaml.safe_load((repo_root / "API" / "openapi.yaml").read_text())


def resolve(document: dict, item: dict) -> dict:
    while "$ref" in item:
        node = document
        for part in item["$ref"].lstrip("#/").split("/"):
            node = node[part]
        item = node
    return item


def listing_parameters(document: dict, method: str = "get") -> dict[str, dict]:
    operation = document["paths"]["/"][method]
    params = [resolve(document, p) for p in operation["parameters"]]
    return {p["name"]: p for p in params if p["in"] == "query"}


def test_listing_parameters_equal_the_servers(live_server, repo_root):
    document = load_document(repo_root)
    help_body = get_json(live_server.url, "/help/")
    served = {spec["parameter"] for spec in help_body["filters"]} | PAGING | {help_body["expression"]["parameter"]}
    for method in ("get", "head"):
        documented = set(listing_parameters(document, method))
        assert documented - served == set(), "documented but not served"
        assert served - documented == set(), "served but not documented"


def test_sort_values_equal_the_servers(live_server, repo_root):
    document = load_document(repo_root)
    help_body = get_json(live_server.url, "/help/")
    schema = listing_parameters(document)["sort_value"]["schema"]
    assert set(schema["enum"]) == set(help_body["sort_values"])


def test_value_schemas_follow_the_filter_types(live_server, repo_root):
    """Each filter's documented schema matches the type the server gives it."""
    document = load_document(repo_root)
    params = listing_parameters(document)
    expected_type = {"real": "number", "integer": "integer", "text": "string", "time": "string",
                     "filterName": "string", "cone": "string", "seconds": "number", "objectId": "string", "objectCone": "string",
                     "list": "string"}
    for spec in get_json(live_server.url, "/help/")["filters"]:
        schema = params[spec["parameter"]]["schema"]
        assert schema["type"] == expected_type[spec["type"]], spec


def test_the_document_is_what_its_generator_writes(repo_root):
    """API/openapi.yaml is generated; an edit to one without the other is caught here."""
    import subprocess
    import sys

    generated = subprocess.run([sys.executable, str(repo_root / "API" / "generate_openapi.py")],
                               cwd=repo_root, capture_output=True, text=True, check=True).stdout
    assert generated == (repo_root / "API" / "openapi.yaml").read_text(), \
        "run: .local/venv/bin/python API/generate_openapi.py > API/openapi.yaml"
