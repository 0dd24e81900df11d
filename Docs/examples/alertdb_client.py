#!/usr/bin/env python3
"""A small client for the alertdb API, with nothing but the Python standard library.

Fetch every alert matching some filters, one JSON object per line, following the `next`
link of each page (a cursor: no alert is skipped or repeated while new ones arrive):

    python3 alertdb_client.py --url http://127.0.0.1:8080 rb__gte=0.8 magpsf__lte=19 > alerts.jsonl
    python3 alertdb_client.py --url http://127.0.0.1:8080 --token "$ALERTDB_TOKEN" objectId=ZTF17aabtdps

Download a cutout (gzipped FITS as stored, or a PNG for display):

    python3 alertdb_client.py --url http://127.0.0.1:8080 --cutout 76 Science
    python3 alertdb_client.py --url http://127.0.0.1:8080 --cutout 76 Difference --png -o diff.png

When the service says "429 Too Many Requests" the client sleeps for the Retry-After the
service gives and asks again, so a long query finishes at the pace the rate limit allows.
Docs/scripts.md explains the API and the rate limit; /help/ on the service lists every filter.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

USER_AGENT = "alertdb_client.py/1"


class APIError(Exception):
    """The service refused a request for a reason waiting will not fix (400, 401, 404, ...)."""

    def __init__(self, status: int, message: str, parameter: str | None = None):
        super().__init__(f"HTTP {status}: {message}" + (f" (parameter {parameter})" if parameter else ""))
        self.status = status
        self.parameter = parameter


class AlertDBClient:
    """Sends requests to one alertdb service and waits out its rate limit.

    `token` is an API token from the service's operator; without one the client spends the
    budget of its IP address. It is sent in the Authorization header, never in URLs, so it
    does not end up in logs or in the links the service hands back.
    """

    def __init__(self, url: str, token: str | None = None, timeout: float = 60, log=None):
        self.base = url.rstrip("/") + "/"
        self.token = token
        self.timeout = timeout
        self.log = log or (lambda message: print(message, file=sys.stderr))
        # What the rate limit cost so far: how many 429s were met and how long was slept.
        self.rate_limited = 0
        self.seconds_waited = 0.0

    # ------------------------------------------------------------------ requests

    def request(self, url: str, accept: str = "application/json") -> tuple[int, dict, bytes]:
        """GET `url` (absolute, or relative to the service) and return (status, headers, body).

        429 is retried after Retry-After seconds for as long as the service asks; 503 (the
        database restarting) a few times. Any other error status raises APIError.
        """
        url = urllib.parse.urljoin(self.base, url)
        headers = {"Accept": accept, "User-Agent": USER_AGENT}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        unavailable = 0
        while True:
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=self.timeout) as response:
                    return response.status, dict(response.headers.items()), response.read()
            except urllib.error.HTTPError as error:
                body = error.read()
                status = error.code
                if status == 429:
                    wait = self._retry_after(error.headers, body)
                    self.rate_limited += 1
                    self.seconds_waited += wait
                    self.log(f"rate limited; waiting {wait:g} s as the service asks")
                    time.sleep(wait)
                    continue
                if status == 503 and unavailable < 5:
                    unavailable += 1
                    wait = self._retry_after(error.headers, body)
                    self.log(f"service unavailable; trying again in {wait:g} s")
                    time.sleep(wait)
                    continue
                message, parameter = self._error_text(body)
                raise APIError(status, message, parameter) from None

    @staticmethod
    def _retry_after(headers, body: bytes) -> float:
        """Seconds to wait: the Retry-After header, else the JSON body's retry_after, else 5."""
        value = headers.get("Retry-After")
        if value is not None:
            try:
                return max(0.0, float(value))
            except ValueError:
                pass  # an HTTP date; alertdb sends seconds, but other servers may not
        try:
            return max(0.0, float(json.loads(body)["retry_after"]))
        except (ValueError, KeyError, TypeError):
            return 5.0

    @staticmethod
    def _error_text(body: bytes) -> tuple[str, str | None]:
        try:
            document = json.loads(body)
            return str(document.get("error")), document.get("parameter")
        except (ValueError, AttributeError):
            return body[:200].decode("utf-8", "replace"), None

    def get_json(self, url: str):
        _, _, body = self.request(url)
        return json.loads(body)

    # ------------------------------------------------------------------ the API

    def alerts(self, filters: list[tuple[str, str]], limit: int | None = None):
        """Yields every alert matching `filters` (pairs of listing parameter and value), page
        by page, following each page's `next` link until there is none."""
        url = "?" + urllib.parse.urlencode(list(filters) + [("format", "json")])
        seen = 0
        while url:
            page = self.get_json(url)
            for alert in page["results"]:
                yield alert
                seen += 1
                if limit is not None and seen >= limit:
                    return
            url = page["next"]

    def alert(self, alert_id: int) -> dict:
        """One alert with its history (prv_candidate) and cutout links."""
        return self.get_json(f"{alert_id}/?format=json")

    def cutout(self, alert_id: int, kind: str = "Science", png: bool = False) -> tuple[bytes, str, str]:
        """One stamp: (bytes, content type, file name). Stored stamps are gzipped FITS
        (JPEG for 2017 alerts); png=True asks for a PNG rendered for display."""
        url = f"{alert_id}/cutout/{kind}/" + ("?format=png" if png else "")
        _, headers, body = self.request(url, accept="*/*")
        content_type = headers.get("Content-Type", "application/octet-stream").split(";")[0]
        name = _attachment_name(headers.get("Content-Disposition", ""))
        if name is None:
            extension = {"image/png": "png", "image/jpeg": "jpg", "application/fits": "fits.gz"}.get(content_type, "bin")
            name = f"{alert_id}-{kind}.{extension}"
        return body, content_type, name


def _attachment_name(disposition: str) -> str | None:
    """The file name of `attachment; filename="..."`, reduced to a plain name."""
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename" and value:
            name = value.strip().strip('"').replace("/", "_").replace("\\", "_")
            return name or None
    return None


# ---------------------------------------------------------------------- command line


def parse_filter(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"filters are NAME=VALUE, e.g. rb__gte=0.8 (not {text!r})")
    return name, value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the service (default %(default)s)")
    parser.add_argument("--token", help="API token (else the budget of your address)")
    parser.add_argument("--limit", type=int, help="stop after this many alerts")
    parser.add_argument("--cutout", nargs=2, metavar=("ID", "KIND"),
                        help="download a cutout of alert ID: Science, Template or Difference")
    parser.add_argument("--png", action="store_true", help="with --cutout: a PNG rendered for display")
    parser.add_argument("-o", "--output", help="file to write (listing: default stdout; cutout: the served name)")
    parser.add_argument("filters", nargs="*", type=parse_filter, metavar="NAME=VALUE",
                        help="listing filters as on /help/, e.g. rb__gte=0.8 cone=14.5,-7.3,0.5 time__since=3600")
    args = parser.parse_args(argv)
    client = AlertDBClient(args.url, token=args.token)

    try:
        if args.cutout:
            alert_id, kind = args.cutout
            data, content_type, name = client.cutout(int(alert_id), kind, png=args.png)
            path = args.output or name
            with open(path, "wb") as out:
                out.write(data)
            print(f"{path}: {len(data)} bytes, {content_type}", file=sys.stderr)
            return 0

        out = open(args.output, "w") if args.output else sys.stdout
        started = time.monotonic()
        count = 0
        try:
            for alert in client.alerts(args.filters, limit=args.limit):
                out.write(json.dumps(alert) + "\n")
                count += 1
        finally:
            if out is not sys.stdout:
                out.close()
        print(f"{count} alerts in {time.monotonic() - started:.1f} s; rate limited {client.rate_limited} times, "
              f"{client.seconds_waited:g} s waited", file=sys.stderr)
        return 0
    except APIError as error:
        print(f"alertdb_client: {error}", file=sys.stderr)
        return 2
    except urllib.error.URLError as error:
        print(f"alertdb_client: cannot reach {args.url}: {error.reason}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
