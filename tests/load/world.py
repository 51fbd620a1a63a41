"""A database of its own for the load and fault tests, built and read by separate processes.

The load tests drive a real server process (and real worker processes), so
the database must be one every process can open: a SQLite file, or a
PostgreSQL database next to the suite's own. pytest-django's test database
will not do: on SQLite it lives in the memory of the pytest process.

    python -m tests.load.world build-answers 20   # prints the world as JSON
    python -m tests.load.world build-reports
    python -m tests.load.world responses 1 2 3    # stored answers and their history
    python -m tests.load.world report 7           # one report row
    python -m tests.load.world queue-city-reports en   # the storage benchmark: 9 city reports queued afresh
    python -m tests.load.world build-evidence 1 20     # evidence files of 1 MB and 20 MB in the configured storage
    python -m tests.load.world build-published       # build-reports and an administrator
    python -m tests.load.world rank-intervals G60 2025  # the region's intervals, and whether they were cached
    python -m tests.load.world publish 310000 2025      # a corrected result of the city, published

The parent chooses the database through SQLITE_PATH / DATABASE_URL.
"""

import contextlib
import json
import os
import sys
from pathlib import Path

PASSWORD = "load-test-password-1"  # noqa: S105 - a throwaway database
SHARED_CITY = "310000"
LOAD_CITIES = [
    "310000",
    "330400",
    "330100",
    "330700",
    "320500",
    "330500",
    "341800",
    "340200",
    "340100",
    "320100",
    "320200",
]
# The regional report of this city's region is what the worker renders.
REPORT_CITIES = "310000,330400,330100,330700,320500,330500,341800,340200,340100"


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()


def _base() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", verbosity=0)
    call_command("load_frameworks", verbosity=0)


def _user(username: str, role: str):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def build_answers(clients: int) -> dict:
    """Half the clients share one assessment (and fight over its answers); the others have one each."""
    from accounts.roles import Role
    from assessment.models import Framework, Indicator, Response
    from assessment.services.assessments import assessment_create
    from cities.models import City

    _base()
    framework = Framework.objects.get(code="DSMF", version="1.0")
    consultants = [_user(f"load-consultant-{n:02d}", Role.CONSULTANT) for n in range(clients)]
    shared_team = consultants[: clients // 2]
    cities = list(City.objects.filter(code__in=LOAD_CITIES).order_by("code"))
    shared_city = next(city for city in cities if city.code == SHARED_CITY)
    others = [city for city in cities if city.code != SHARED_CITY]
    if len(others) < clients - len(shared_team):
        raise SystemExit(f"need {clients - len(shared_team)} other cities, have {len(others)}")
    shared = assessment_create(city=shared_city, framework=framework, period=2025, consultants=shared_team)
    assignments = {user.username: shared.pk for user in shared_team}
    for user, city in zip(consultants[len(shared_team) :], others, strict=False):
        assignments[user.username] = assessment_create(
            city=city, framework=framework, period=2025, consultants=[user]
        ).pk
    # Level answers only, and none the agreements derive: every save is then valid,
    # so a refusal can only be the version check.
    responses = {}
    for assessment_pk in set(assignments.values()):
        rows = (
            Response.objects.filter(assessment_id=assessment_pk, indicator__type=Indicator.Type.LEVEL)
            .select_related("indicator")
            .order_by("indicator__node__code")
        )
        responses[assessment_pk] = [
            {"pk": row.pk, "version": row.version} for row in rows if not row.indicator.derived_from
        ][:4]
    return {
        "password": PASSWORD,
        "shared": shared.pk,
        "assignments": assignments,
        "responses": {str(pk): rows for pk, rows in responses.items()},
    }


def build_reports() -> dict:
    """Published demo results for a region, and a manager who may ask for its report."""
    from django.core.management import call_command

    from accounts.roles import Role

    _base()
    call_command("load_demo", cities=REPORT_CITIES, quiet=True)
    _user("load-manager", Role.CITY_MANAGER)
    return {"password": PASSWORD, "manager": "load-manager", "region": "G60", "period": 2025}


def build_published() -> dict:
    """build-reports' region with its published demo results, and an administrator who reads and publishes."""
    from accounts.roles import Role

    world = build_reports()
    _user("load-admin", Role.ADMINISTRATOR)
    return {**world, "admin": "load-admin"}


def rank_intervals(region_code: str, period: int) -> dict:
    """The region's rank intervals as the pages read them, and whether the shared cache held them before."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from assessment.models import Framework
    from assessment.rank_intervals import monte_carlo_ranks, ranks_key
    from assessment.selectors.results import region_snapshot
    from cities.models import Region

    framework = Framework.objects.latest_readable(settings.DUALSPACE_DEFAULT_FRAMEWORK)
    snapshot = region_snapshot(
        region=Region.objects.get(code=region_code),
        period=period,
        framework=framework,
        user=get_user_model().objects.get(username="load-admin"),
    )
    method = framework.method_parameters()
    cached = cache.get(ranks_key(snapshot, method.runs, method.seed)) is not None
    ranks = monte_carlo_ranks(snapshot)
    return {
        "cached": cached,
        "cache": settings.CACHES["default"]["BACKEND"],
        "intervals": {
            code: [float(row["rank_p05"]), float(row["rank_median"]), float(row["rank_p95"])]
            for code, row in ranks.iterrows()
        },
    }


def publish(city_code: str, period: int) -> dict:
    """The city's published result corrected (every level answer at 0) and published, through the services."""
    from assessment.models import Assessment
    from assessment.services import assessments as workflow
    from tests.assessment_builders import answer_everything

    published = Assessment.objects.standing_published().get(
        city_id=city_code, period=period, kind=Assessment.Kind.CONSULTANT
    )
    revision = workflow.assessment_revise(assessment=published, user=published.reviewer)
    answer_everything(revision, level=0, share=0.0, derived_reason="load test: a corrected result")
    workflow.assessment_submit(assessment=revision, user=revision.consultants.first())
    workflow.assessment_approve(assessment=revision, user=revision.reviewer)
    workflow.assessment_publish(assessment=revision, user=revision.reviewer)
    return {"assessment": revision.pk}


def queue_city_reports(language: str) -> dict:
    """Forget every stored report, then queue the city report of each REPORT_CITIES city (the benchmark's batch)."""
    from django.contrib.auth import get_user_model

    from assessment.models import Report
    from assessment.services.reports import report_request
    from cities.models import City, Region

    for stored in Report.objects.exclude(file=""):
        stored.file.delete(save=False)
    Report.objects.all().delete()
    manager = get_user_model().objects.get(username="load-manager")
    region = Region.objects.get(code="G60")
    queued = [
        report_request(user=manager, kind=Report.Kind.CITY, period=2025, language=language, city=city, region=region).pk
        for city in City.objects.filter(code__in=REPORT_CITIES.split(",")).order_by("code")
    ]
    return {"reports": queued}


def reports_done(pks: list[int]) -> dict:
    from assessment.models import Report

    rows = Report.objects.filter(pk__in=pks)
    return {
        "statuses": sorted(rows.values_list("status", flat=True)),
        "workers": sorted(set(rows.values_list("worker", flat=True))),
    }


def build_evidence(sizes_mb: list[int]) -> dict:
    """A consultant's draft with one PDF evidence file per size, stored through the configured storage."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessment.models import Response
    from assessment.services.evidence import evidence_add

    world = build_answers(2)
    username = next(iter(world["assignments"]))
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    response = Response.objects.get(pk=world["responses"][str(world["assignments"][username])][0]["pk"])
    files = {}
    for size in sizes_mb:
        body = b"%PDF-1.4\n" + os.urandom(size * 1024 * 1024 - 9)
        upload = SimpleUploadedFile(f"evidence-{size}mb.pdf", body, content_type="application/pdf")
        (evidence,) = evidence_add(response=response, user=user, upload=upload)
        files[str(size)] = evidence.pk
    return {"password": PASSWORD, "consultant": username, "evidence": files}


def responses(pks: list[int]) -> dict:
    from assessment.models import Response

    stored = {}
    for response in Response.objects.filter(pk__in=pks):
        stored[str(response.pk)] = {
            "version": response.version,
            "level": response.level,
            "comment": response.comment,
            "history": [
                {"version": row.version, "level": row.level, "comment": row.comment}
                for row in response.history.order_by("history_id")
            ],
        }
    return stored


def report(pk: int) -> dict:
    from assessment.models import Report

    row = Report.objects.get(pk=pk)
    return {
        "status": row.status,
        "progress": row.progress,
        "attempts": row.attempts,
        "message": row.message,
        "file": row.file.name,
    }


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    _setup()
    command, *args = argv
    # Management commands narrate on stdout; the parent reads only the JSON line.
    with contextlib.redirect_stdout(sys.stderr):
        result = _run(command, args)
    print(json.dumps(result))


def _run(command: str, args: list[str]) -> dict:
    if command == "build-answers":
        result = build_answers(int(args[0]))
    elif command == "build-reports":
        result = build_reports()
    elif command == "build-published":
        result = build_published()
    elif command == "rank-intervals":
        result = rank_intervals(args[0], int(args[1]))
    elif command == "publish":
        result = publish(args[0], int(args[1]))
    elif command == "queue-city-reports":
        result = queue_city_reports(args[0])
    elif command == "reports-done":
        result = reports_done([int(pk) for pk in args])
    elif command == "build-evidence":
        result = build_evidence([int(size) for size in args])
    elif command == "responses":
        result = responses([int(pk) for pk in args])
    elif command == "report":
        result = report(int(args[0]))
    else:
        raise SystemExit(f"unknown command {command}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
