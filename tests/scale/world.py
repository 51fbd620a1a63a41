"""The two-node test's data, built and read in a process of its own (as tests/load/world.py does).

    python -m tests.scale.world build        # prints the world as JSON
    python -m tests.scale.world report 7     # one report row, with the worker that took it

The report world of the load tests (published demo results of the G60 cities
and a manager who may ask for their reports), plus a consultant writing a
draft assessment of a city outside it (to upload evidence to), and a user
whose sign-ins the throttle test fails on purpose.
"""

import contextlib
import json
import sys
from pathlib import Path

EVIDENCE_CITY = "320100"  # Nanjing: not among tests.load.world.REPORT_CITIES, so no demo assessment in the way
THROTTLED = "scale-throttled"


def build() -> dict:
    from accounts.roles import Role
    from assessment.models import Framework, Indicator, Response
    from assessment.services.assessments import assessment_create
    from cities.models import City
    from tests.load.world import _user, build_reports

    world = build_reports()
    consultant = _user("scale-consultant", Role.CONSULTANT)
    _user(THROTTLED, Role.CONSULTANT)
    assessment = assessment_create(
        city=City.objects.get(code=EVIDENCE_CITY),
        framework=Framework.objects.get(code="DSMF", version="1.0"),
        period=2025,
        consultants=[consultant],
    )
    response = (
        Response.objects.filter(assessment=assessment, indicator__type=Indicator.Type.LEVEL)
        .order_by("indicator__node__code")
        .first()
    )
    assert response is not None
    return {
        **world,
        "consultant": consultant.username,
        "throttled": THROTTLED,
        "assessment": assessment.pk,
        "response": response.pk,
    }


def report(pk: int) -> dict:
    from assessment.models import Report
    from tests.load.world import report as report_row

    return {**report_row(pk), "worker": Report.objects.get(pk=pk).worker}


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.load.world import _setup

    _setup()
    command, *args = argv
    # Management commands narrate on stdout; the parent reads only the JSON line.
    with contextlib.redirect_stdout(sys.stderr):
        if command == "build":
            result = build()
        elif command == "report":
            result = report(int(args[0]))
        else:
            raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
