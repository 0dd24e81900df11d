"""TOM Toolkit's MARS broker module, unchanged, as a TOM runs it, against an alertdb server.

Run by Tests/python/test_tom_toolkit.py with the python of .local/venv-tom (TOM Toolkit and
its old Django, from Tests/python/requirements-tom.txt), not the tests' own venv:

    tom_mars_client.py http://127.0.0.1:PORT ZTF17aabtdps ZTF18abomhfb ...

For each object it does what a TOM does with a MARS query's results: fetch_alerts with
{'objectId': ...}, to_generic_alert for each alert, to_target once (a target's name is unique),
and process_reduced_data(target, alert) for each alert, which fetches the alert's history
from the server and stores it as ReducedDatum rows, in an in-memory SQLite database.
The module is pointed at the server through its MARS_URL constant and nothing else.

It prints one JSON object: {objectId: {"alerts": [...], "target": {...}}}, where each alert
is the generic alert's fields and the ReducedDatum rows stored for it (source_location is the
alert's lco_id), read back from the database.
"""

from __future__ import annotations

import json
import sys

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="tom-mars-client",
    USE_TZ=True,
    TIME_ZONE="UTC",
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.sites",
        "guardian",
        "rest_framework",
        "rest_framework.authtoken",
        "django_comments",
        "tom_common",
        "tom_targets",
        "tom_alerts",
        "tom_observations",
        "tom_dataproducts",
    ],
    SITE_ID=1,
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend",
                             "guardian.backends.ObjectPermissionBackend"],
    # What TOM's settings template sets and its models read.
    CRISPY_TEMPLATE_PACK="bootstrap4",
    DATA_PRODUCT_TYPES={"photometry": ("photometry", "Photometry")},
    EXTRA_FIELDS=[],
    HOOKS={"target_post_save": "tom_common.hooks.target_post_save"},
    TARGET_PERMISSIONS_ONLY=True,
    TOM_ALERT_CLASSES=["tom_alerts.brokers.mars.MARSBroker"],
)
django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0, interactive=False)

from tom_alerts.brokers import mars  # noqa: E402
from tom_dataproducts.models import ReducedDatum  # noqa: E402


def run(object_id: str, broker: mars.MARSBroker) -> dict:
    alerts, _feedback = broker.fetch_alerts({"objectId": object_id})
    alerts = list(alerts)
    result = {"alerts": [], "target": None}
    target = None
    for alert in alerts:
        generic = broker.to_generic_alert(alert)
        if target is None:
            # to_target pops ra, dec, l and b out of the alert's candidate (its copy is
            # shallow); process_reduced_data below fetches the alert again anyway, since a
            # listing's alerts have no prv_candidate.
            target = broker.to_target(alert)
            result["target"] = {"name": target.name, "type": target.type, "ra": target.ra, "dec": target.dec,
                                "galactic_lng": target.galactic_lng, "galactic_lat": target.galactic_lat}
        broker.process_reduced_data(target, alert)
        data = ReducedDatum.objects.filter(target=target, source_location=str(generic.id)).order_by("timestamp", "id")
        result["alerts"].append({
            "id": generic.id,
            "name": generic.name,
            "ra": generic.ra,
            "dec": generic.dec,
            "mag": generic.mag,
            "score": generic.score,
            "timestamp": generic.timestamp.isoformat(),
            "url": generic.url,
            "data": [{"timestamp": datum.timestamp.isoformat(), "value": datum.value,
                      "source_name": datum.source_name, "data_type": datum.data_type} for datum in data],
        })
    # A saved query, as TOM runs it: the whole form, query_name and broker among the filters.
    form = mars.MARSQueryForm(data={"query_name": f"saved {object_id}", "broker": "MARS", "objectId": object_id})
    assert form.is_valid(), form.errors
    saved, _ = broker.fetch_alerts(dict(form.cleaned_data))
    result["saved_query"] = sorted(alert["lco_id"] for alert in saved)
    # The form's object cone: alerts within 0.001 degrees of the object.
    near, _ = broker.fetch_alerts({"objectcone": f"{object_id},0.001"})
    result["objectcone"] = sorted(alert["lco_id"] for alert in near)
    return result


def main(argv: list[str]) -> None:
    url, object_ids = argv[1].rstrip("/"), argv[2:]
    mars.MARS_URL = url
    broker = mars.MARSBroker()
    json.dump({object_id: run(object_id, broker) for object_id in object_ids}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
