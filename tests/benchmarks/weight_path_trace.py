# ruff: noqa: E402  (a script: Django is set up before the project modules are imported)
"""Which project files a framework weight passes through, from the admin to the region ranking chart.

Issue 17 asks that following a framework weight from the admin to the region chart
touch fewer files; this is how that was measured (34 files at c202ddf). Run it from a
checkout on a copy of the demo database (it writes a draft framework and a weight):

    cp var/db.sqlite3 /tmp/trace.sqlite3
    DATABASE_URL=sqlite:////tmp/trace.sqlite3 .venv/bin/python tests/benchmarks/weight_path_trace.py

With TRACE_CHART=data the third phase draws the ranking chart alone, through its CSV download,
instead of the whole region page and a what-if (67 files at 3343449).

Three phases, traced with sys.setprofile (project .py files whose functions run) and
Django's template_rendered signal (templates): the admin saves an indicator weight,
the service re-scores a published assessment with the framework's weights, and the
region dashboard draws the ranking (page and a what-if with that weight changed).
"""

import os
import sys
from pathlib import Path

ROOT = Path.cwd().resolve()
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
import django

django.setup()
from django.test.utils import setup_test_environment

setup_test_environment()
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.signals import template_rendered

files: dict[str, set[str]] = {}
phase = None


def prof(frame, event, arg):
    if event != "call" or phase is None:
        return
    f = frame.f_code.co_filename
    if f.startswith(str(ROOT)) and "/.venv/" not in f and "/migrations/" not in f and f != __file__:
        files[phase].add(os.path.relpath(f, ROOT))


def on_template(sender, template, context, **kw):
    if (
        phase
        and template.origin
        and template.origin.name
        and str(template.origin.name).startswith(str(ROOT))
        and "/.venv/" not in str(template.origin.name)
    ):
        files[phase].add(os.path.relpath(template.origin.name, ROOT))


template_rendered.connect(on_template)

from assessment.models import Assessment, Framework, FrameworkNode

admin = get_user_model().objects.get(username="admin")
c = Client()
c.force_login(admin)
from assessment.services.framework import framework_clone_as_draft

published_node = FrameworkNode.objects.filter(
    framework__code="DSMF", framework__status="published", kind="dimension"
).first()
fw = published_node.framework
# Weights are edited in a draft version (a published one is locked): the admin's real path.
draft = Framework.objects.filter(code="DSMF", status="draft").first() or framework_clone_as_draft(
    framework=fw, version="9.9"
)
node = FrameworkNode.objects.get(framework=draft, code=published_node.code)


def run(name, fn):
    global phase
    phase = name
    files[name] = set()
    sys.setprofile(prof)
    try:
        fn()
    finally:
        sys.setprofile(None)
        phase = None


def admin_save():
    r = c.get(f"/admin/assessment/frameworknode/{node.pk}/change/")
    assert r.status_code == 200, r.status_code
    from html.parser import HTMLParser

    data = {}

    class Inputs(HTMLParser):
        select = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "checkbox"):
                data[a["name"]] = a.get("value") or ""
            elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
                data[a["name"]] = "on"
            elif tag == "textarea" and a.get("name"):
                data[a["name"]] = ""
            elif tag == "select":
                self.select = a.get("name")
            elif tag == "option" and self.select and "selected" in a:
                data[self.select] = a.get("value") or ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None

    Inputs().feed(r.content.decode())
    data["weight"] = str(float(node.weight) * 2)
    r = c.post(f"/admin/assessment/frameworknode/{node.pk}/change/", data)
    node.refresh_from_db()
    print("weight now", node.weight)
    print("admin POST", r.status_code, r.get("Location"))
    if r.status_code == 200:
        print(r.context["adminform"].form.errors)


def rescore():
    from assessment.services import results as s

    a = Assessment.objects.filter(status="published", framework=fw).first()
    fn = next(
        getattr(s, n)
        for n in ("assessment_result_store", "result_store", "result_compute", "assessment_score", "score_assessment")
        if hasattr(s, n)
    )
    print("service", fn.__name__)
    try:
        fn(assessment=a)
    except TypeError:
        fn(a)


def dashboard():
    from django.core.cache import cache

    if os.environ.get("TRACE_CHART") == "data":
        # The ranking chart alone, as its download draws it (42 files at 3343449; 24 at c202ddf).
        cache.clear()
        r = c.get("/dashboards/regions/G60/data/ranking.csv?period=2025")
        assert r.status_code == 200, r.status_code
        return

    cache.clear()  # the page and the rank intervals are cached: draw them anew
    r = c.get("/dashboards/regions/G60/?period=2025")
    assert r.status_code == 200
    r = c.get(f"/dashboards/regions/G60/what-if.json?period=2025&w.{node.code}=2")
    print("what-if", r.status_code)
    assert r.status_code == 200


# Warm up: import every module and build every cache-free path once, untraced, so the
# trace shows the files a weight passes through, not the files Python imports.
c.get("/")
c.get(f"/admin/assessment/frameworknode/{node.pk}/change/")
c.get("/dashboards/regions/G60/?period=2025")
for name, fn in (("admin", admin_save), ("score", rescore), ("chart", dashboard)):
    run(name, fn)
everything = set().union(*files.values())
for name in files:
    print(f"== {name}: {len(files[name])}")
    for f in sorted(files[name]):
        print("  ", f)
print("TOTAL distinct files:", len(everything))
