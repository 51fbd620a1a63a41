"""A result published in one process gives new rank intervals in every other (issue 22: a shared cache).

The rank intervals (the Monte Carlo of `assessment.rank_intervals`) are cached
under the published results' version, in the cache every process shares:
Redis (CACHE_URL=redis://, a real redis-server started here) or the database
table (CACHE_URL unset). Processes that share nothing but the database and
that cache:

1. a long-lived web server answers the read API's region results (it
   computes the intervals and stores them);
2. a new process reads the intervals and finds them in the cache (with a
   per-process cache it would compute them again);
3. another new process publishes a corrected result of the region's first
   city through the services, as a reviewer does;
4. the same long-lived server answers with the new intervals (the city falls
   to the last rank), and a new process finds those in the cache too.
"""

import contextlib
import time

import pytest

from tests.load.conftest import SUMMARY, Browser, running_server
from tests.services import redis_server

REDIS = "django.core.cache.backends.redis.RedisCache"
DATABASE = "django.core.cache.backends.db.DatabaseCache"


def _intervals(browser: Browser, region: str, period: int) -> dict[str, list[float]]:
    """Each city's rank interval as the read API gives it (the version's Monte Carlo runs)."""
    body = browser.get_json(f"/api/v1/regions/{region}/results?period={period}")
    intervals = {}
    for row in body["rows"]:
        interval = row["rank_interval"]
        assert interval is not None, f"no rank interval in {row}"
        intervals[row["city_code"]] = [interval["p05"], interval["median"], interval["p95"]]
    return intervals


@pytest.mark.parametrize("cache", ["redis", "database"])
def test_a_result_published_in_one_process_gives_new_rank_intervals_in_another(load_database, tmp_path, cache):
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        if cache == "redis":
            load_database.env["CACHE_URL"] = stack.enter_context(redis_server()).url
        else:
            load_database.env.pop("CACHE_URL", None)
        world = load_database.world("build-published")
        region, period = world["region"], str(world["period"])
        base = stack.enter_context(running_server(load_database, tmp_path / "server.log"))
        browser = Browser(base)
        browser.sign_in(world["admin"], world["password"])

        before = _intervals(browser, region, world["period"])
        read = load_database.world("rank-intervals", region, period)
        assert read["cache"] == (REDIS if cache == "redis" else DATABASE)
        assert read["cached"], "another process did not find the intervals the server had cached"
        assert read["intervals"] == before

        first = min(before, key=lambda code: before[code][1])
        load_database.world("publish", first, period)

        after = _intervals(browser, region, world["period"])
        assert after != before
        assert after[first][1] == len(after), f"{first} should be last after its levels fell to 0: {after[first]}"
        again = load_database.world("rank-intervals", region, period)
        assert again["cached"] and again["intervals"] == after
    SUMMARY.append(
        f"shared cache ({cache}) on {load_database.vendor}: intervals cached by the server read by another process, "
        f"a result published in a third changed them on the same server ({time.monotonic() - started:.0f} s)"
    )
