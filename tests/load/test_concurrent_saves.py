"""Twenty consultants autosave answers at once, for 30 s, through the real server.

Half of them share one assessment and keep saving the same four answers, so
their saves collide; the others each save answers of their own assessment.
They post exactly what the autosave script posts (form fields with the base
version, CSRF token, Accept: application/json). Each client writes down what
the server told it: saved as version N, or refused because someone saved
since its base version. Then the database must agree with the clients:

* no server error (5xx), no dropped connection, no other answer;
* for every answer the acknowledged saves have the versions base+1, base+2, …
  with no gap and no repeat, each acknowledged save was based on the version
  just before it (so none overwrote another without being refused), and what
  is stored is the last acknowledged save;
* every acknowledged save is in the answer's history as it was acknowledged.

LOAD_SECONDS (default 30) shortens the run while working on this test.
"""

import os
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from tests.load.conftest import SUMMARY, Browser, running_server

CLIENTS = 20
SECONDS = float(os.environ.get("LOAD_SECONDS", "30"))


@dataclass
class Log:
    saved: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0


def consultant(
    base: str, username: str, password: str, assessment: int, answers: list[dict], deadline: float, log: Log
) -> None:
    known = {row["pk"]: row["version"] for row in answers}
    chance = random.Random(username)
    try:
        browser = Browser(base)
        browser.sign_in(username, password)
    except Exception as problem:  # noqa: BLE001 - every failure is counted, none may happen
        log.errors.append(f"{username} sign-in: {problem!r}")
        return
    number = 0
    while time.monotonic() < deadline:
        number += 1
        response = chance.choice(list(known))
        base_version, level, comment = known[response], chance.randint(0, 5), f"{username} #{number}"
        prefix = f"r{response}-"
        fields = {f"{prefix}base_version": str(base_version), f"{prefix}level": str(level), f"{prefix}comment": comment}
        log.requests += 1
        try:
            status, reply = browser.post_json(f"/assessments/{assessment}/responses/{response}/", fields)
        except Exception as problem:  # noqa: BLE001
            log.errors.append(f"{username} {response}: {problem!r}")
            continue
        if status == 200 and reply.get("ok"):
            log.saved.append(
                {
                    "response": response,
                    "base": base_version,
                    "version": reply["version"],
                    "level": level,
                    "comment": comment,
                }
            )
            known[response] = reply["version"]
        elif status == 409 and reply.get("conflict"):
            log.conflicts.append({"response": response, "base": base_version, "current": reply["version"]})
            # As a user who keeps their own value after seeing both: the next save is based on theirs.
            known[response] = reply["version"]
        else:
            log.errors.append(f"{username} {response}: HTTP {status} {reply}")


def test_twenty_consultants_saving_at_once_lose_nothing_and_overwrite_nothing(load_database, tmp_path):
    world = load_database.world("build-answers", str(CLIENTS))
    logs = {username: Log() for username in world["assignments"]}
    with running_server(load_database, tmp_path / "server.log") as base:
        deadline = time.monotonic() + SECONDS
        threads = [
            threading.Thread(
                target=consultant,
                args=(
                    base,
                    username,
                    world["password"],
                    assessment,
                    world["responses"][str(assessment)],
                    deadline,
                    logs[username],
                ),
            )
            for username, assessment in world["assignments"].items()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    server_log = (tmp_path / "server.log").read_text()
    initial = {row["pk"]: row["version"] for rows in world["responses"].values() for row in rows}
    stored = {int(pk): row for pk, row in load_database.world("responses", *map(str, initial)).items()}

    saved = [entry for log in logs.values() for entry in log.saved]
    conflicts = [entry for log in logs.values() for entry in log.conflicts]
    errors = [entry for log in logs.values() for entry in log.errors]
    requests = sum(log.requests for log in logs.values())
    shared_saves = sum(
        1
        for entry in saved
        if str(entry["response"]) in {str(r["pk"]) for r in world["responses"][str(world["shared"])]}
    )
    SUMMARY.append(
        f"concurrent saves on {load_database.vendor}: {CLIENTS} clients, {SECONDS:g} s, {requests} requests, "
        f"{len(saved)} saved ({shared_saves} on the shared assessment), {len(conflicts)} refused as conflicts, "
        f"{len(errors)} errors, {len(lost_or_overwritten(saved, initial, stored))} lost or overwritten"
    )

    assert errors == [], f"{len(errors)} errors, first: {errors[:5]}\nserver log tail:\n{server_log[-3000:]}"
    assert " 500 " not in server_log and "database is locked" not in server_log
    assert saved and conflicts, "the run must both save and collide, or it proves nothing"
    assert all(entry["current"] != entry["base"] for entry in conflicts), (
        "a save was refused although its base was current"
    )
    assert lost_or_overwritten(saved, initial, stored) == []


def lost_or_overwritten(saved: list[dict], initial: dict[int, int], stored: dict[int, dict]) -> list[str]:
    """Every way the database can disagree with what the clients were told, in words."""
    problems = []
    by_response = defaultdict(list)
    for entry in saved:
        by_response[entry["response"]].append(entry)
    for response, start in initial.items():
        acknowledged = sorted(by_response[response], key=lambda entry: entry["version"])
        versions = [entry["version"] for entry in acknowledged]
        repeated = [version for version, count in Counter(versions).items() if count > 1]
        if repeated:
            problems.append(f"response {response}: version(s) {repeated} acknowledged to two saves")
        if versions != list(range(start + 1, start + 1 + len(versions))):
            problems.append(
                f"response {response}: acknowledged versions {versions[:10]}… are not {start + 1}, {start + 2}, …"
            )
        problems += [
            f"response {response}: save of {entry['comment']} acknowledged as version {entry['version']}"
            f" was based on {entry['base']}"
            for entry in acknowledged
            if entry["base"] != entry["version"] - 1
        ]
        row = stored[response]
        last = acknowledged[-1] if acknowledged else None
        if last is None:
            if row["version"] != start:
                problems.append(f"response {response}: stored version {row['version']} but no save was acknowledged")
        elif (row["version"], row["level"], row["comment"]) != (last["version"], last["level"], last["comment"]):
            problems.append(
                f"response {response}: stores version {row['version']} {row['comment']!r}, "
                f"the last acknowledged save was version {last['version']} {last['comment']!r}"
            )
        history = {(item["version"], item["level"], item["comment"]) for item in row["history"]}
        problems += [
            f"response {response}: acknowledged version {entry['version']} ({entry['comment']}) is not in the history"
            for entry in acknowledged
            if (entry["version"], entry["level"], entry["comment"]) not in history
        ]
    return problems
