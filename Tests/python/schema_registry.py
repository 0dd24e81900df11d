"""A small stand-in for a Confluent schema registry: `GET /schemas/ids/<id>` answers
`{"schema": "<JSON text>"}` for Rubin's schemas as lsst-alert-packet ships them, by the id
Rubin's registry gives them (MAJOR * 100 + MINOR), and 404 for any other id. It counts the
requests for each id, and can be told to fail the first requests with a 503."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import fastavro.schema
import lsst.alert.packet

SCHEMA_ROOT = Path(lsst.alert.packet.get_schema_root())


def rubin_schemas() -> dict[int, str]:
    schemas = {}
    for folder in SCHEMA_ROOT.glob("[0-9]*/[0-9]*"):
        major, minor = int(folder.parent.name), int(folder.name)
        parsed = fastavro.schema.load_schema(str(folder / f"lsst.v{major}_{minor}.alert.avsc"), _write_hint=False)
        schemas[major * 100 + minor] = json.dumps(parsed)
    return schemas


class SchemaRegistry:
    def __init__(self, failures: int = 0):
        self.schemas = rubin_schemas()
        self.requests: Counter[int] = Counter()
        self.failures = failures
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                match = re.fullmatch(r"/schemas/ids/(-?\d+)", self.path)
                if match is None:
                    return self.answer(404, {"error_code": 404, "message": "not found"})
                schema_id = int(match.group(1))
                with registry.lock:
                    registry.requests[schema_id] += 1
                    failing = registry.failures > 0
                    registry.failures -= failing
                if failing:
                    return self.answer(503, {"error_code": 503, "message": "try again"})
                if schema_id not in registry.schemas:
                    return self.answer(404, {"error_code": 40403, "message": "Schema not found"})
                self.answer(200, {"schema": registry.schemas[schema_id]})

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
