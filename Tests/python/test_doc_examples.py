"""Every example of the documentation runs as written against the site Deploy/setup makes: a
fresh database loaded with exactly the packets of Samples/, served with rate limiting off.

The examples are found, not listed, so that an example added later is run too:

- README.md, Docs/**/*.md: fenced blocks. ```sh blocks are split into commands (a line ending
  in a backslash or inside open quotes continues); ```python blocks run as scripts; ```sql
  blocks run through psql. A ```json block right after a ```sh block (nothing but blank lines
  between) is the output of that block's last command.
- Docs/examples/*.py: the indented lines of the module's docstring, as commands.
- /help/, as the server renders it: every <pre>. One holding a command is shell; one of the
  expressions section holds a `where=` expression a line.

Commands are those of the service's users: `curl`, `python3`, `psql` and `alertdb` (or
`$alertdb`). Installing, building and administering a server (`sudo ...`, `Deploy/...`,
`Bench/...`, `swift build`) are steps, not examples against the samples; they are not run.
`NAME=value` lines set variables for the commands after them in the same block.

A transcript (`$ command` followed by its output) gives the output the command must print;
a `# HTTP 400` on the output is the status it must answer with. A command's trailing comment
that is JSON (`# {"status":"ok"}`) is its output too. In an expected output `...` stands for
anything: a value, further members or elements, or text within a string.

Each example runs in a folder of its own (files that curl -O writes land there) with
`http://127.0.0.1:8080` rewritten to the test server. curl is run through a wrapper that
reports the status; every request must answer 200 unless the example says otherwise, JSON
must parse, and a listing, light curve or photometry must hold something, as an example of
them means to show some (except where `time__since` makes the answer depend on the clock).
"""

from __future__ import annotations

import html
import html.parser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import fastavro
import pytest

from conftest import REPO_ROOT
from http_client import get_json, request

DEFAULT_ADDRESS = "127.0.0.1:8080"
RUNNERS = {"curl", "python3", "psql", "alertdb", "$alertdb"}

# What cannot run here, by a text of the example, with the reason.
SKIP = {
    "ztf_public_20250101.tar.gz": "a nightly archive of ZTF's, not in the repository",
    "consume --brokers": "needs a Kafka cluster; test_consume.py runs consume against librdkafka's mock cluster",
    "serve --host": "starts the server; the test starts it the way Deploy/setup does",
    "alerts.example.org": "a public site behind nginx; test_deploy.py runs the nginx example",
    "SELECT ... WHERE <filters>": "the pattern of the listing's statements, not a statement",
    '"retry_after": 180}': "a 429, which the local site (rate limiting off) never sends; test_rate_limit.py checks it",
    "alertdb ingest alerts/": "a folder of the reader's own packets; test_rubin_ingest.py loads the shared ones",
    "topic-dump/": "a broker's topic dumped to files; test_rubin_ingest.py loads framed messages, with and without a registry",
}

# Answers that an example of a listing means to be non-empty.
NON_EMPTY_LISTS = ("results", "photometry", "lightcurve")

STATUS_MARK = "doc-example-status"


# --------------------------------------------------------------------------- examples


@dataclass
class Example:
    source: str  # "Docs/scripts.md:120", "/help/ #examples"
    kind: str  # "sh", "python", "sql", "where"
    text: str
    prelude: list[str] = field(default_factory=list)  # NAME=value lines before it
    output: str | None = None  # what it must print
    status: int | None = None  # the HTTP status it must answer with, when not 200
    cwd_files: Path | None = None  # a folder whose files the example expects in its folder

    def skip_reason(self) -> str | None:
        return next((reason for text, reason in SKIP.items() if text in self.text), None)


def split_comment(line: str) -> tuple[str, str | None]:
    """A shell line and its trailing comment (a `#` starting a word outside quotes)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].rstrip(), line[index + 1:].strip()
    return line.rstrip(), None


def is_complete(command: str) -> bool:
    """Whether the text is a whole command: no trailing backslash, no open quote."""
    if command.endswith("\\"):
        return False
    try:
        shlex.split(command, comments=True)
    except ValueError:
        return False
    return True


def command_word(command: str) -> str | None:
    """The program a command runs, after any NAME=value prefixes; None for an assignment alone."""
    try:
        words = shlex.split(command, comments=True, posix=False)
    except ValueError:
        return None
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        words.pop(0)
    return words[0] if words else None


def starts_command(line: str) -> bool:
    """Whether a line of a <pre> begins a command (or a transcript's `$ command`)."""
    words = [word for word in line.split() if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=\S*", word)]
    return line.startswith("$ ") or bool(words and words[0] in RUNNERS)


def apply_comment(example: Example, comment: str | None) -> None:
    """`# HTTP 400` sets the status; a comment that is JSON is the output."""
    if not comment:
        return
    if match := re.search(r"\bHTTP (\d{3})\b", comment):
        example.status = int(match.group(1))
    elif comment.startswith(("{", "[")):
        example.output = comment


def shell_examples(lines: list[str], source: str, first_line: int, cwd_files: Path | None = None) -> list[Example]:
    """The commands of a shell block (or of a transcript, `$ command` then its output)."""
    transcript = any(line.startswith("$ ") for line in lines)
    examples: list[Example] = []
    prelude: list[str] = []
    pending: list[str] = []
    last: Example | None = None
    output: list[str] = []

    def close_output():
        nonlocal output
        if last is not None and output:
            text = "\n".join(output)
            if match := re.search(r"\s+#\s*HTTP (\d{3})\b.*$", text):
                last.status = int(match.group(1))
                text = text[:match.start()]
            last.output = text.strip()
        output = []

    for number, raw in enumerate(lines, first_line):
        if not pending:
            if transcript and not raw.startswith("$ "):
                if raw.strip():
                    output.append(raw)
                continue
            if transcript:
                close_output()
                raw = raw[2:]
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            start = number
        pending.append(raw)
        command = "\n".join(pending)
        if not is_complete(command.rstrip()):
            continue
        pending = []
        command, comment = split_comment(command) if "\n" not in command else (command, None)
        word = command_word(command)
        if word is None:
            if "$(" not in command:  # a plain assignment, not `x=$(swift build ...)`
                prelude.append(command)
            last = None
            continue
        if word not in RUNNERS:
            last = None
            continue
        last = Example(f"{source}:{start}", "sh", command, list(prelude), cwd_files=cwd_files)
        apply_comment(last, comment)
        examples.append(last)
    close_output()
    return examples


FENCE = re.compile(r"^```(\w*)\s*$")


def markdown_examples(path: Path) -> list[Example]:
    source = str(path.relative_to(REPO_ROOT))
    lines = path.read_text().splitlines()
    examples: list[Example] = []
    index = 0
    previous_sh: tuple[int, list[Example]] | None = None  # where the last sh block ended, its examples
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        language, start = match.group(1), index + 1
        end = next(i for i in range(start, len(lines)) if lines[i].startswith("```"))
        body = lines[start:end]
        follows_sh = previous_sh is not None and all(not line.strip() for line in lines[previous_sh[0] + 1:index])
        if language == "sh":
            found = shell_examples(body, source, start + 1)
            examples += found
            previous_sh = (end, found)
        elif language == "python":
            examples.append(Example(f"{source}:{start + 1}", "python", "\n".join(body)))
        elif language == "sql":
            examples.append(Example(f"{source}:{start + 1}", "sql", "\n".join(body)))
        elif language == "json":
            if follows_sh and previous_sh[1]:
                previous_sh[1][-1].output = "\n".join(body)
            else:
                examples.append(Example(f"{source}:{start + 1}", "json", "\n".join(body)))
        index = end + 1
    return examples


def docstring_examples(path: Path) -> list[Example]:
    """The indented lines of a script's docstring: how to run it."""
    source = str(path.relative_to(REPO_ROOT))
    text = path.read_text()
    docstring = re.match(r'\s*(?:#![^\n]*\n)?\s*"""(.*?)"""', text, re.S)
    if not docstring:
        return []
    first = text[:docstring.start(1)].count("\n") + 1
    lines = docstring.group(1).splitlines()
    return [example for number, line in enumerate(lines, first) if line.startswith("    ")
            for example in shell_examples([line.strip()], source, number, cwd_files=path.parent)]


class PreBlocks(html.parser.HTMLParser):
    """The text of every <pre>, and of every <code>, with the id of the section it is in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.section = ""
        self.pres: list[tuple[str, str]] = []
        self.codes: list[tuple[str, str]] = []
        self._open: list[str] | None = None
        self._tag = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3") and dict(attrs).get("id"):
            self.section = dict(attrs)["id"]
        if tag in ("pre", "code") and self._open is None:
            self._open, self._tag = [], tag

    def handle_endtag(self, tag):
        if tag == self._tag and self._open is not None:
            (self.pres if tag == "pre" else self.codes).append((self.section, "".join(self._open)))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)


def help_examples(page: str) -> tuple[list[Example], list[str]]:
    """The examples of /help/, and the problems of <pre> blocks that are neither kind."""
    parser = PreBlocks()
    parser.feed(page)
    examples: list[Example] = []
    problems: list[str] = []
    for section, text in parser.pres:
        lines = [line.strip() for line in text.strip().splitlines()]
        source = f"/help/ #{section}"
        if any(starts_command(line) for line in lines):
            examples += shell_examples(lines, source, 1)
        elif section == "expressions":
            examples += [Example(f"{source}", "where", line) for line in lines if line]
        else:
            problems.append(f"{source}: a <pre> that is neither commands nor expressions:\n{text}")
    # An error body quoted in the prose must be one the page shows a request answering with.
    outputs = [json.loads(e.output) for e in examples if e.output and e.output.startswith("{")]
    for section, text in parser.codes:
        try:
            quoted = json.loads(text)
        except ValueError:
            continue
        if isinstance(quoted, dict) and "..." not in text and "error" in quoted and quoted not in outputs:
            problems.append(f"/help/ #{section}: {text} is not the answer of any example on the page")
    return examples, problems


# --------------------------------------------------------------------------- expected output


class Wildcard:
    """`...` in an expected output."""

    def __repr__(self):
        return "..."


ANY = Wildcard()


class Pattern:
    """JSON in which `...` may stand for a value, for further members of an object or elements
    of an array, or, inside a string, for any text."""

    def __init__(self, text: str):
        self.text, self.at = text, 0
        self.value = self.parse()
        self.space()
        if self.at != len(self.text):
            raise ValueError(f"text after the JSON at character {self.at}")

    def space(self):
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def take(self, literal: str) -> bool:
        self.space()
        if self.text.startswith(literal, self.at):
            self.at += len(literal)
            return True
        return False

    def parse(self):
        self.space()
        if self.take("..."):
            return ANY
        if self.take("{"):
            members, more = {}, False
            while not self.take("}"):
                if self.take("..."):
                    more = True
                else:
                    key = self.parse()
                    if not isinstance(key, str) or not self.take(":"):
                        raise ValueError(f"expected a member at character {self.at}")
                    members[key] = self.parse()
                self.take(",")
            return ("object", members, more)
        if self.take("["):
            elements, more = [], False
            while not self.take("]"):
                if self.take("..."):
                    more = True
                else:
                    elements.append(self.parse())
                self.take(",")
            return ("array", elements, more)
        value, end = json.JSONDecoder().raw_decode(self.text, self.at)
        self.at = end
        return value


def mismatch(expected, actual, path="$") -> str | None:
    """Where `actual` differs from the pattern `expected`, or None."""
    if expected is ANY:
        return None
    if isinstance(expected, tuple) and expected[0] == "object":
        _, members, more = expected
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {actual!r:.200}"
        for key, value in members.items():
            if key not in actual:
                return f"{path}: no member {key!r}"
            if problem := mismatch(value, actual[key], f"{path}.{key}"):
                return problem
        extra = set(actual) - set(members)
        if extra and not more:
            return f"{path}: members the example does not show: {sorted(extra)}"
        return None
    if isinstance(expected, tuple) and expected[0] == "array":
        _, elements, more = expected
        if not isinstance(actual, list):
            return f"{path}: expected an array, got {actual!r:.200}"
        if len(actual) < len(elements) or (len(actual) > len(elements) and not more):
            return f"{path}: {len(actual)} elements, the example shows {len(elements)}{' or more' if more else ''}"
        for index, value in enumerate(elements):
            if problem := mismatch(value, actual[index], f"{path}[{index}]"):
                return problem
        return None
    if isinstance(expected, str) and "..." in expected and isinstance(actual, str):
        regex = ".*".join(re.escape(part) for part in expected.split("..."))
        return None if re.fullmatch(regex, actual, re.S) else f"{path}: {actual!r} is not {expected!r}"
    if type(expected) is not type(actual) and not (isinstance(expected, (int, float)) and isinstance(actual, (int, float))
                                                   and not isinstance(actual, bool)):
        return f"{path}: expected {expected!r}, got {actual!r:.200}"
    return None if expected == actual else f"{path}: expected {expected!r}, got {actual!r:.200}"


def output_mismatch(expected: str, actual: str) -> str | None:
    try:
        pattern = Pattern(expected)
    except ValueError:
        regex = ".*".join(re.escape(part) for part in expected.strip().split("..."))
        return None if re.fullmatch(regex, actual.strip(), re.S) else f"printed {actual.strip()!r:.500}"
    try:
        answer = json.loads(actual)
    except ValueError:
        return f"the example shows JSON, the command printed {actual!r:.300}"
    return mismatch(pattern.value, answer)


def empty_lists(value, path="$") -> list[str]:
    """Where an answer holds an empty listing (or a count of 0)."""
    found = []
    if isinstance(value, dict):
        for key, member in value.items():
            if key in NON_EMPTY_LISTS and member == []:
                found.append(f"{path}.{key}")
            elif key == "count" and member == 0:
                found.append(f"{path}.count")
            else:
                found += empty_lists(member, f"{path}.{key}")
    elif isinstance(value, list):
        for index, member in enumerate(value):
            found += empty_lists(member, f"{path}[{index}]")
    return found


# --------------------------------------------------------------------------- running


@dataclass
class Site:
    url: str
    port: int
    db_name: str
    db_url: str
    token: str
    alertdb: Path
    shims: Path


@pytest.fixture(scope="module")
def site(make_database, ingest, start_server, run_alertdb, alertdb_bin, tmp_path_factory) -> Site:
    """The site Deploy/setup makes: `alertdb migrate`, `alertdb ingest Samples/*/` (the
    folders in the shell's order, by name), `alertdb serve --rate-limit off`; on a random port."""
    db = make_database()
    folders = sorted(path for path in (REPO_ROOT / "Samples").iterdir() if path.is_dir())
    proc, summary = ingest(db.url, *folders)
    assert proc.returncode == 0 and summary.rejected == 0, summary.line
    server = start_server(db)
    made = run_alertdb("token", "add", "doc-examples", "--database", db.url)
    assert made.returncode == 0, made.stderr
    token = next(line for line in made.stdout.decode().split() if line.startswith("adb_"))

    # curl reports each answer's status on stderr; python3 is this interpreter, with the
    # test's packages; alertdb is the executable under test.
    shims = tmp_path_factory.mktemp("doc-shims")
    real_curl = shutil.which("curl")
    assert real_curl, "curl is not installed (Deploy/debian-packages-test.txt)"
    (shims / "curl").write_text(
        f'#!/bin/sh\nexec {shlex.quote(real_curl)} "$@" '
        f"--write-out '%{{stderr}}{STATUS_MARK} %{{http_code}} %{{size_download}} %{{content_type}}\\n'\n")
    (shims / "python3").symlink_to(sys.executable)
    (shims / "alertdb").symlink_to(alertdb_bin)
    for shim in shims.iterdir():
        shim.chmod(0o755)
    return Site(server.url, server.port, db.name, db.url, token, alertdb_bin, shims)


def localize(text: str, site: Site) -> str:
    return text.replace(DEFAULT_ADDRESS, f"127.0.0.1:{site.port}")


def environment(site: Site) -> dict[str, str]:
    return {**os.environ, "PATH": f"{site.shims}:{os.environ['PATH']}", "BASE": site.url,
            "alertdb": str(site.alertdb), "ALERTDB_TOKEN": site.token,
            "PGDATABASE": site.db_name, "DATABASE_URL": site.db_url}


def folder_for(example: Example) -> Path:
    """A fresh folder that looks like the repository's root, where the examples run (and what
    they write stays), with the files of `cwd_files` beside."""
    folder = Path(tempfile.mkdtemp(prefix="doc-example."))
    for path in REPO_ROOT.iterdir():
        if not path.name.startswith("."):
            (folder / path.name).symlink_to(path)
    if example.cwd_files:
        for path in example.cwd_files.iterdir():
            (folder / path.name).symlink_to(path)
    return folder


def run(example: Example, site: Site) -> str | None:
    """Run one example; what is wrong with it, or None."""
    if example.kind == "where":
        query = urllib.parse.urlencode({"format": "json", "where": example.text})
        answer = request(f"{site.url}/?{query}")
        if answer.status != 200:
            return f"answered {answer.status}: {answer.text[:300]}"
        return "no alert matches" if not answer.json()["results"] else None
    if example.kind == "json":
        return "JSON that is the output of no command (put the command in a ```sh block right before it)"

    folder = folder_for(example)
    try:
        text = localize(example.text, site)
        if example.kind == "sh":
            script = "\n".join(localize(line, site) for line in example.prelude) + "\n" + text
            argv = ["bash", "-o", "pipefail", "-c", script]
        elif example.kind == "python":
            argv = [sys.executable, "-c", text]
        else:
            argv = ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-c", text]
        proc = subprocess.run(argv, cwd=folder, env=environment(site), capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    reports = [line.split(" ", 3) for line in proc.stderr.splitlines() if line.startswith(STATUS_MARK)]
    stderr = "\n".join(line for line in proc.stderr.splitlines() if not line.startswith(STATUS_MARK))
    expected_status = example.status or 200
    head = example.kind == "sh" and bool(re.search(r"(^|\s)(-[a-zA-Z]*I[a-zA-Z]*|--head)(\s|$)", text))
    for _, status, size, content_type in (r + [""] * (4 - len(r)) for r in reports):
        if int(status) != expected_status:
            return f"answered HTTP {status}, the example expects {expected_status}: {proc.stdout[:300]!r}"
        if expected_status == 200 and int(size) == 0 and not head:
            return "an empty answer"
    if proc.returncode != 0:
        return f"exit status {proc.returncode}: {stderr[-800:]}{proc.stdout[-300:]}"

    if example.output is not None:
        if problem := output_mismatch(localize(example.output, site), proc.stdout):
            return f"its output differs from the example's: {problem}"
    elif (len(reports) == 1 and "|" not in text and "application/json" in reports[0][3] and not head
          and proc.stdout.strip()):  # not when curl wrote the answer to a file
        try:
            answer = json.loads(proc.stdout)
        except ValueError:
            return f"JSON that does not parse: {proc.stdout[:300]!r}"
        if expected_status == 200 and "time__since" not in text and (empty := empty_lists(answer)):
            return f"an empty answer: {', '.join(empty)}"
    elif example.kind == "python" and "print(" in text and not proc.stdout.strip():
        return "printed nothing"
    return None


def documents() -> list[Path]:
    return [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "Docs").rglob("*.md"))]


def run_all(examples: list[Example], site: Site) -> list[str]:
    failures = []
    for example in examples:
        if example.skip_reason():
            continue
        if problem := run(example, site):
            failures.append(f"{example.source}: {example.text}\n    -> {problem}")
    return failures


@pytest.mark.parametrize("path", documents() + sorted((REPO_ROOT / "Docs" / "examples").glob("*.py")),
                         ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_document_examples_run(path: Path, site: Site):
    examples = markdown_examples(path) if path.suffix == ".md" else docstring_examples(path)
    if "curl " in path.read_text() and "```sh" in path.read_text():
        assert any("curl" in e.text for e in examples), "the document has curl commands, none were found"
    failures = run_all(examples, site)
    assert not failures, f"{len(failures)} of {len(examples)} examples fail:\n" + "\n".join(failures)


def test_help_page_examples_run(site: Site):
    page = request(f"{site.url}/help/").text
    examples, problems = help_examples(page)
    assert sum(e.kind == "sh" for e in examples) >= 10 and any(e.kind == "where" for e in examples), (
        "the examples of /help/ were not found")
    failures = problems + run_all(examples, site)
    assert not failures, f"{len(failures)} of {len(examples)} examples fail:\n" + "\n".join(failures)


def test_alert_ids_are_the_same_in_every_fresh_site(site: Site):
    """The docs name alerts by id (/76/), which the database gives in load order. The loader
    stores each batch in candid order, and the sample packets are one batch (500 alerts or
    24 MB), so a fresh load of Samples/ numbers the alerts 1, 2, ... in candid order, whatever
    the order of the files or of their reading: every fresh site gives a packet the same id."""
    candids = []
    for path in (REPO_ROOT / "Samples").rglob("*.avro"):
        with open(path, "rb") as packet:
            # ZTF's alerts only: Rubin's go to tables of their own, numbered by diaSourceId.
            candids += [record["candid"] for record in fastavro.reader(packet) if "candid" in record]
    listing = get_json(site.url, "/", {"format": "json"})
    stored = {alert["candid"]: alert["lco_id"] for alert in listing["results"]}
    assert len(stored) == len(candids) == 93
    assert [stored[candid] for candid in sorted(candids)] == list(range(1, len(candids) + 1))
