"""The monitoring files of Deploy/monitoring: Prometheus accepts the rules and the scrape
configuration, the rules fire when they should (promtool's rule unit tests), and the Grafana
dashboard and the rules use only metrics that alertdb exports. No server or database is needed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

MONITORING = Path(__file__).resolve().parents[2] / "Deploy" / "monitoring"
RULES = MONITORING / "alertdb-rules.yml"
DASHBOARD = MONITORING / "alertdb-dashboard.json"
PROMETHEUS = MONITORING / "prometheus.yml"

# What `alertdb serve` (/metrics) and `alertdb consume --metrics-port` export, and `up`,
# which Prometheus adds to every target.
SERVE_METRICS = {
    "alertdb_http_requests_total",
    "alertdb_http_rate_limited_total",
    "alertdb_db_pool_connections",
    "alertdb_db_pool_in_use",
    "alertdb_db_pool_waits_total",
    "alertdb_process_start_time_seconds",
    "alertdb_alerts_loaded_total",
    "alertdb_alerts_rejected_total",
    "alertdb_newest_alert_jd",
    "alertdb_newest_alert_age_seconds",
    "alertdb_last_load_timestamp_seconds",
    "alertdb_database_up",
}
CONSUME_METRICS = {
    "alertdb_consume_messages_total",
    "alertdb_consume_alerts_loaded_total",
    "alertdb_consume_alerts_duplicate_total",
    "alertdb_consume_rejected_total",
    "alertdb_consume_partition_lag",
}
HISTOGRAMS = {"alertdb_http_request_duration_seconds", "alertdb_consume_latency_seconds"}
KNOWN_METRICS = (
    SERVE_METRICS
    | CONSUME_METRICS
    | {histogram + suffix for histogram in HISTOGRAMS for suffix in ("_bucket", "_sum", "_count")}
    | {"up"}
)

# PromQL words that look like identifiers but are not series names.
PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
                   "bool", "offset", "inf", "nan"}


def promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail("promtool is not installed (apt-get install prometheus; Deploy/debian-packages-test.txt lists it)")
    return subprocess.run([binary, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def metric_names(expr: str) -> set[str]:
    """The series names an expression selects: identifiers left once strings, label matchers,
    ranges, grouping clauses and Grafana variables are taken out, that are neither functions
    (followed by a parenthesis) nor keywords nor parts of numbers and durations."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\{?\w+\}?", " ", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        before = text[match.start() - 1] if match.start() > 0 else " "
        if before.isdigit() or before == ".":  # the e of 1e3, the m of 5m
            continue
        if text[match.end():].lstrip().startswith("("):
            continue
        if match.group(0).lower() in PROMQL_KEYWORDS:
            continue
        names.add(match.group(0))
    return names


def rule_expressions() -> list[tuple[str, str]]:
    """(rule name, expression) of every rule in the rules file."""
    rules = yaml.safe_load(RULES.read_text())
    return [(rule.get("alert") or rule.get("record"), rule["expr"])
            for group in rules["groups"] for rule in group["rules"]]


def dashboard_panels() -> list[dict]:
    """Every panel that shows data (rows hold none), including those inside collapsed rows."""
    dashboard = json.loads(DASHBOARD.read_text())
    panels = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            panels.extend(panel.get("panels", []))
        else:
            panels.append(panel)
    return panels


def dashboard_expressions() -> list[tuple[str, str]]:
    return [(f"{panel['title']} [{target['refId']}]", target["expr"])
            for panel in dashboard_panels() for target in panel["targets"]]


# --------------------------------------------------------------------------- Prometheus


def test_promtool_accepts_the_rules():
    result = promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_scrape_configuration():
    # rule_files is relative to the configuration's folder, so the example is checked where it is.
    result = promtool("check", "config", str(PROMETHEUS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "alertdb-rules.yml" in result.stdout, "the example should load the alertdb rules"


def test_scrape_configuration_names_the_jobs_the_rules_use():
    config = yaml.safe_load(PROMETHEUS.read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["alertdb-serve"]["static_configs"][0]["targets"] == ["127.0.0.1:8080"]
    assert jobs["alertdb-consume"]["static_configs"][0]["targets"] == ["127.0.0.1:9400"]
    rules_text = RULES.read_text()
    for job in ("alertdb-serve", "alertdb-consume"):
        assert f'job="{job}"' in rules_text


# Rule unit tests for promtool. Time 0 is 1970-01-01 00:00 UTC, so eval_time is also the time
# of day. Annotations are removed from the rules under test, as promtool compares them too.
RULE_TESTS = """
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  # Alerts stored every minute until 04:00 UTC, then none for the rest of the day and night.
  - interval: 1m
    input_series:
      - series: 'alertdb_last_load_timestamp_seconds{job="alertdb-serve",instance="a"}'
        values: '0+60x240 14400+0x2000'
    alert_rule_test:
      - {eval_time: 260m, alertname: AlertdbNoNewAlertsDuringNight, exp_alerts: []}     # 04:20, 20 min quiet
      - eval_time: 280m                                                                  # 04:40, 40 min quiet
        alertname: AlertdbNoNewAlertsDuringNight
        exp_alerts: [{exp_labels: {severity: critical}}]
      - {eval_time: 800m, alertname: AlertdbNoNewAlertsDuringNight, exp_alerts: []}     # 13:20, day
      - {eval_time: 1630m, alertname: AlertdbNoNewAlertsDuringNight, exp_alerts: []}    # 03:10 next night
      - eval_time: 1660m                                                                 # 03:40 next night
        alertname: AlertdbNoNewAlertsDuringNight
        exp_alerts: [{exp_labels: {severity: critical}}]

  # Instance a fails 2 % of its requests, instance b 0.5 %.
  - interval: 1m
    input_series:
      - series: 'alertdb_http_requests_total{job="alertdb-serve",instance="a",route="listing",status="200"}'
        values: '0+600x60'
      - series: 'alertdb_http_requests_total{job="alertdb-serve",instance="a",route="listing",status="500"}'
        values: '0+12x60'
      - series: 'alertdb_http_requests_total{job="alertdb-serve",instance="b",route="detail",status="200"}'
        values: '0+600x60'
      - series: 'alertdb_http_requests_total{job="alertdb-serve",instance="b",route="detail",status="503"}'
        values: '0+3x60'
    alert_rule_test:
      - eval_time: 30m
        alertname: AlertdbHigh5xxRate
        exp_alerts: [{exp_labels: {severity: warning, instance: a}}]

  # A lag growing by 100 messages a minute passes 5,000 at minute 50 and fires 15 minutes later.
  - interval: 1m
    input_series:
      - series: 'alertdb_consume_partition_lag{job="alertdb-consume",instance="c",topic="t",partition="0"}'
        values: '0+100x120'
    alert_rule_test:
      - {eval_time: 60m, alertname: AlertdbConsumerLagGrowing, exp_alerts: []}
      - eval_time: 80m
        alertname: AlertdbConsumerLagGrowing
        exp_alerts: [{exp_labels: {severity: warning}}]

  # A large lag that does not grow is a consumer keeping up with a backlog.
  - interval: 1m
    input_series:
      - series: 'alertdb_consume_partition_lag{job="alertdb-consume",instance="c",topic="t",partition="0"}'
        values: '8000+0x120'
      - series: 'alertdb_consume_messages_total{job="alertdb-consume",instance="c"}'
        values: '0+1000x120'
    alert_rule_test:
      - {eval_time: 80m, alertname: AlertdbConsumerLagGrowing, exp_alerts: []}
      - {eval_time: 80m, alertname: AlertdbConsumerStalled, exp_alerts: []}

  # Messages wait and none is read.
  - interval: 1m
    input_series:
      - series: 'alertdb_consume_partition_lag{job="alertdb-consume",instance="c",topic="t",partition="0"}'
        values: '300+0x60'
      - series: 'alertdb_consume_messages_total{job="alertdb-consume",instance="c"}'
        values: '500+0x60'
    alert_rule_test:
      - eval_time: 30m
        alertname: AlertdbConsumerStalled
        exp_alerts: [{exp_labels: {severity: critical}}]

  - interval: 1m
    input_series:
      - series: 'up{job="alertdb-serve",instance="127.0.0.1:8080"}'
        values: '1 1 1 0 0 0 0 0'
    alert_rule_test:
      - eval_time: 7m
        alertname: AlertdbServeDown
        exp_alerts: [{exp_labels: {severity: critical, job: alertdb-serve, instance: "127.0.0.1:8080"}}]
"""


def test_rules_fire_when_they_should(tmp_path):
    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))
    (tmp_path / "rules.test.yml").write_text(RULE_TESTS)
    result = promtool("test", "rules", "rules.test.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- Grafana


def test_dashboard_is_grafana_json_with_a_prometheus_data_source():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["schemaVersion"] >= 36
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["DS_PROMETHEUS"]["type"] == "datasource"
    assert variables["DS_PROMETHEUS"]["query"] == "prometheus"
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"


def test_every_dashboard_panel_queries_prometheus():
    panels = dashboard_panels()
    assert len(panels) >= 10
    for panel in panels:
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]
        assert panel["targets"], f"panel {panel['title']!r} has no targets"
        for target in panel["targets"]:
            assert target.get("expr", "").strip(), f"panel {panel['title']!r} has a target without expr"
            assert target["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]


def test_dashboard_expressions_are_valid_promql(tmp_path):
    # promtool parses rules but not dashboards: each expression becomes a recording rule, with
    # Grafana's interval variables replaced by a duration.
    rules = [{"record": f"dashboard:expr_{i}", "expr": re.sub(r"\$__(rate_)?interval", "5m", expr)}
             for i, (_, expr) in enumerate(dashboard_expressions())]
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_shows_the_panels_operators_need():
    titles = {panel["title"] for panel in dashboard_panels()}
    exprs = " ".join(expr for _, expr in dashboard_expressions())
    for needed in ("alertdb_alerts_loaded_total", "alertdb_newest_alert_age_seconds",
                   "alertdb_last_load_timestamp_seconds", "alertdb_http_requests_total",
                   "alertdb_http_request_duration_seconds_bucket", "alertdb_http_rate_limited_total",
                   "alertdb_db_pool_in_use", "alertdb_consume_partition_lag",
                   "alertdb_consume_latency_seconds_bucket"):
        assert needed in exprs, f"no panel shows {needed}"
    assert "Latency p50 and p99 by route" in titles
    assert "histogram_quantile(0.99" in exprs


# --------------------------------------------------------------------------- metric names


def test_metric_names_are_read_correctly():
    assert metric_names('histogram_quantile(0.99, sum by (route, le) '
                        '(rate(alertdb_http_request_duration_seconds_bucket{status=~"5.."}[$__rate_interval])))') \
        == {"alertdb_http_request_duration_seconds_bucket"}
    assert metric_names("time() - max(alertdb_last_load_timestamp_seconds) > 1.8e3 and on() hour() < 13") \
        == {"alertdb_last_load_timestamp_seconds"}
    assert metric_names("deriv(sum(x_lag)[15m:1m]) > 0 or y offset 5m") == {"x_lag", "y"}


@pytest.mark.parametrize("source", ["rules", "dashboard"])
def test_only_exported_metrics_are_used(source):
    expressions = rule_expressions() if source == "rules" else dashboard_expressions()
    assert expressions
    for name, expr in expressions:
        names = metric_names(expr)
        assert names, f"{name}: no metric found in {expr!r}"
        unknown = names - KNOWN_METRICS
        assert not unknown, f"{name}: {sorted(unknown)} are not metrics alertdb exports ({expr!r})"
