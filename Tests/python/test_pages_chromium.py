"""The HTML pages as a browser shows them: Debian's headless Chromium loads the listing and
the detail page of real alerts from `alertdb serve`, dumps the DOM and takes screenshots.

The screenshots are also kept in .local/screenshots/ so a person can look at them."""

from __future__ import annotations

import html.parser
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from http_client import get, get_json

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
KINDS = ("Science", "Template", "Difference")
LISTING_HEADERS = ["id", "objectId", "time (UTC)", "filter", "ra", "dec", "magpsf", "magap", "distnr",
                   "Δmaglatest", "Δmagref", "rb"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


class DOM(html.parser.HTMLParser):
    """The parts of a dumped DOM the tests look at: tags with their attributes, in order,
    and the text of table header cells."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.header_cells: list[str] = []
        self._header_text: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag == "th":
            self._header_text = []

    def handle_endtag(self, tag):
        if tag == "th" and self._header_text is not None:
            self.header_cells.append("".join(self._header_text).strip())
            self._header_text = None

    def handle_data(self, data):
        if self._header_text is not None:
            self._header_text.append(data)

    def find(self, tag: str, **attributes) -> list[dict[str, str]]:
        """Attributes of every `tag` whose attributes include all those given (class_ for class:
        one of the element's classes)."""
        wanted = {name.rstrip("_"): value for name, value in attributes.items()}
        found = []
        for name, attrs in self.tags:
            if name != tag:
                continue
            if all((value in attrs.get(key, "").split()) if key == "class" else attrs.get(key) == value
                   for key, value in wanted.items()):
                found.append(attrs)
        return found


def chromium(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on `url` with its own profile folder; fail with its stderr."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-proxy-server",
               "--hide-scrollbars", "--no-first-run", f"--user-data-dir={profile}", *args, url]
    proc = subprocess.run(command, capture_output=True, timeout=120)
    assert proc.returncode == 0, f"chromium failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-2000:]}"
    return proc


def dump_dom(url: str, tmp_path: Path) -> str:
    """The DOM after Chromium loaded the page."""
    return chromium(url, tmp_path, "--dump-dom").stdout.decode("utf-8", errors="replace")


def screenshot(url: str, tmp_path: Path, repo_root: Path | None, name: str, *args: str) -> Image.Image:
    """A 1400x1800 PNG screenshot of `url`, kept as .local/screenshots/<name>.png too
    unless repo_root is None."""
    path = tmp_path / f"{name}.png"
    chromium(url, tmp_path, f"--screenshot={path}", "--window-size=1400,1800", *args)
    assert path.is_file() and path.stat().st_size > 0, f"no screenshot written for {url}"
    if repo_root is not None:
        keep = repo_root / ".local" / "screenshots"
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, keep / path.name)
    image = Image.open(path)
    image.load()
    return image.convert("RGB")


def assert_not_blank(image: Image.Image, minimum_colours: int = 24):
    """A rendered page has text, links and lines in many shades; a blank or error screen does not."""
    assert image.size == (1400, 1800), image.size
    colours = image.getcolors(maxcolors=1 << 24)
    assert colours is not None and len(colours) > minimum_colours, f"only {len(colours or [])} colours"


def assert_cutouts_drawn(url: str, image: Image.Image, tmp_path: Path):
    """The page with images differs from the same page with images turned off by at least
    the area of one and a half 200x200 stamps: the cutouts really were drawn."""
    without = screenshot(url, tmp_path, None, "no-images", "--blink-settings=imagesEnabled=false")
    changed = ImageChops.difference(image, without).convert("L").point(lambda v: 255 if v > 8 else 0)
    pixels = changed.histogram()[255]
    assert pixels > 60_000, f"only {pixels} pixels differ when images are turned off: are the cutouts drawn?"


def richest_alert(server, schema_3: bool) -> tuple[int, list[dict]]:
    """The alert whose object has the longest light curve among the schema 3.x alerts (FITS
    cutouts) or among the 2017 ones (JPEG cutouts, no schemavsn), and that light curve."""
    condition = "schemavsn LIKE '3.%'" if schema_3 else "schemavsn IS NULL"
    ids = [row[0] for row in server.db.conn.execute(f"SELECT id FROM candidate WHERE {condition} ORDER BY id")]
    assert ids, f"no alert with {condition} stored"
    best = None
    for alert_id in ids[:60]:
        points = get_json(server.url, f"/{alert_id}/photometry/")["photometry"]
        if best is None or len(points) > len(best[1]):
            best = (alert_id, points)
    return best


def test_listing_page(live_server, tmp_path, repo_root):
    url = live_server.url + "/"
    dom = DOM(dump_dom(url, tmp_path))
    assert dom.find("table", class_="alerts"), "no alerts table"
    # The only table on the page: a header row and the first 100 of the 1104 alerts.
    assert len(dom.find("tr")) == 1 + 100
    links = [a["href"] for a in dom.find("a")]
    detail_links = {href for href in links if href.strip("/").isdigit()}
    assert len(detail_links) == 100, f"{len(detail_links)} distinct links to alerts on the first page"
    for header in LISTING_HEADERS:
        assert header in dom.header_cells, f"missing column {header!r} in {dom.header_cells}"
    assert dom.find("form", action="/", method="get")
    assert dom.find("select", name="filter") and dom.find("input", name="rb__gte")
    assert "/help/" in links
    assert_not_blank(screenshot(url, tmp_path, repo_root, "listing"))


def test_listing_page_keeps_the_filters_and_shows_errors(live_server, tmp_path, repo_root):
    dom = DOM(dump_dom(live_server.url + "/?rb__gte=0.5&filter=g", tmp_path))
    assert dom.find("input", name="rb__gte", value="0.5")
    assert dom.find("option", value="g", selected="")
    rows = [a for a in dom.find("a") if a["href"].strip("/").isdigit()]
    assert 0 < len(rows) <= 100

    url = live_server.url + "/?rb__gte=abc"
    text = dump_dom(url, tmp_path)
    assert "abc" in text and DOM(text).find("div", class_="error"), "the error message is not shown"
    assert DOM(text).find("input", name="rb__gte", value="abc")
    assert_not_blank(screenshot(url, tmp_path, repo_root, "listing-error"))


def test_detail_page_of_a_ztf_v3_alert(live_server, tmp_path, repo_root):
    alert_id, points = richest_alert(live_server, schema_3=True)
    url = f"{live_server.url}/{alert_id}/"
    dom = DOM(dump_dom(url, tmp_path))

    images = dom.find("img")
    sources = [image["src"] for image in images]
    assert sources == [f"/{alert_id}/cutout/{kind}/?format=png" for kind in KINDS], sources
    assert [image["alt"] for image in images] == list(KINDS)
    for source in sources:
        response = get(live_server.url, source)
        assert response.status == 200, (source, response.status)
        assert response.content_type == "image/png", (source, response.headers)
        stamp = Image.open(io.BytesIO(response.body))
        assert stamp.width > 0 and stamp.height > 0
    for kind in KINDS:
        assert dom.find("a", href=f"/{alert_id}/cutout/{kind}/"), f"no link to the {kind} FITS stamp"
    for href in (f"/{alert_id}/?format=json", f"/{alert_id}/photometry/?format=json", f"/{alert_id}/avro/"):
        assert dom.find("a", href=href), f"no link to {href}"

    assert dom.find("svg", class_="lightcurve"), "no light curve"
    drawable = [p for p in points if p["magpsf"] is not None or p["diffmaglim"] is not None]
    detections = dom.find("circle", class_="det")
    limits = dom.find("path", class_="nondet")
    assert len(detections) == sum(p["magpsf"] is not None for p in drawable)
    assert len(limits) == sum(p["magpsf"] is None for p in drawable)
    assert len(dom.find("circle", class_="current")) == 1, "this alert's point is not marked"
    assert dom.find("table", class_="history") and dom.find("table", class_="fields")

    image = screenshot(url, tmp_path, repo_root, "detail-ztf-v3")
    assert_not_blank(image)
    assert_cutouts_drawn(url, image, tmp_path)


def test_detail_page_of_a_2017_alert(live_server, tmp_path, repo_root):
    alert_id, _ = richest_alert(live_server, schema_3=False)
    url = f"{live_server.url}/{alert_id}/"
    dom = DOM(dump_dom(url, tmp_path))
    sources = [image["src"] for image in dom.find("img")]
    assert len(sources) == 3, sources
    for source in sources:
        response = get(live_server.url, source)
        assert response.status == 200 and response.content_type in ("image/png", "image/jpeg"), (source, response.headers)
        Image.open(io.BytesIO(response.body)).load()
    assert dom.find("svg", class_="lightcurve")
    image = screenshot(url, tmp_path, repo_root, "detail-ztf-2017")
    assert_not_blank(image)
    assert_cutouts_drawn(url, image, tmp_path)


def test_help_page(live_server, tmp_path, repo_root):
    url = live_server.url + "/help/"
    text = dump_dom(url, tmp_path)
    for needle in ("rb__gte", "cone", "cursor", "curl", "POST", "magpsf"):
        assert needle in text, needle
    assert_not_blank(screenshot(url, tmp_path, repo_root, "help"))


def test_the_pages_break_no_rule_of_their_content_security_policy(live_server, tmp_path):
    """Every response carries a Content-Security-Policy (no scripts, this site's images, one inline
    stylesheet); Chromium reports each thing the policy blocks on its console, and reports none
    on any page, while the stamps are still drawn (test_detail_page_*)."""
    alert_id, _ = richest_alert(live_server, schema_3=True)
    for path in ["/", "/?rb__gte=abc", f"/{alert_id}/", f"/{alert_id}/photometry/", "/latest/", "/help/", "/no/such/page/"]:
        policy = get(live_server.url, path).headers.get("content-security-policy", "")
        assert "default-src 'none'" in policy, (path, policy)
        console = chromium(live_server.url + path, tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom").stderr
        blocked = [line for line in console.decode(errors="replace").splitlines() if "Content Security Policy" in line]
        assert not blocked, (path, blocked[:3])


def test_a_page_view_costs_one_request_of_the_budget(make_database, ingest, shared_dir, start_server, tmp_path):
    """With rate limiting on, a browser showing an alert's page spends one request of the main
    budget (no favicon request either) and three of the cutout budget, and draws every stamp."""
    db = make_database()
    proc, _ = ingest(db.url, shared_dir / "alerts" / "ztf-v3")
    assert proc.returncode == 0
    server = start_server(db, "--rate-limit-burst", "2", rate_limit=True)
    alert_id = db.conn.execute("SELECT id FROM candidate WHERE schemavsn LIKE '3.%' ORDER BY id LIMIT 1").fetchone()[0]
    url = f"{server.url}/{alert_id}/"

    image = screenshot(url, tmp_path, None, "detail-limited")
    assert_not_blank(image)
    left = dict(db.conn.execute("SELECT budget, tokens FROM rate_limit_bucket WHERE client = 'ip:127.0.0.1'").fetchall())
    assert left["api"] == pytest.approx(1, abs=0.01), left      # 2 - the page
    assert left["cutout"] == pytest.approx(3, abs=0.05), left   # 6 - three stamps
    metrics = get(server.url, "/metrics").text
    assert 'alertdb_http_requests_total{route="not_found"' not in metrics, "the browser asked for something missing"
    # The same page without images spends the last request; the stamps were drawn the first time.
    assert_cutouts_drawn(url, image, tmp_path)
    assert get(server.url, f"/{alert_id}/").status == 429
