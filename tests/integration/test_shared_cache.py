"""Cached values live in the shared cache (issue 22), under keys every process computes alike.

A framework version's tree is read from `django.core.cache` (the database
table here, Redis in a deployment), so a value another process stored is used
and an emptied cache is rebuilt; drafts are never cached. The keys are plain
strings built with hashlib, never `hash()` (randomised per process): two
Python processes started with different hash seeds compute the same ones.
CACHE_URL picks Redis/Valkey or the database cache and names itself when wrong;
every key begins with the release's fingerprint.
"""

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from assessment.framework_cache import (
    FRAMEWORK_CACHE_VERSION,
    framework_scoring_tree,
    node_names,
    version_key,
)
from assessment.models import Framework, FrameworkNode
from assessment.scoring import FrameworkTree
from assessment.services.framework import framework_clone_as_draft
from assessment.what_if_cache import prepared_key
from config.services import CACHE_TABLE, caches, release_fingerprint

ROOT = Path(__file__).resolve().parents[2]


def _fresh(framework: Framework) -> Framework:
    """The version as a new request reads it: a new instance, so no memo of an earlier one."""
    return Framework.objects.get(pk=framework.pk)


def test_a_published_tree_is_kept_in_the_shared_cache_and_rebuilt_when_emptied(default_framework):
    tree = framework_scoring_tree(_fresh(default_framework))
    stored = cache.get(version_key(default_framework, "tree"))
    assert isinstance(stored, FrameworkTree) and stored.codes == tree.codes
    cache.clear()
    assert cache.get(version_key(default_framework, "tree")) is None
    rebuilt = framework_scoring_tree(_fresh(default_framework))
    assert rebuilt.codes == tree.codes
    assert cache.get(version_key(default_framework, "tree")) is not None


def test_a_value_another_process_stored_is_the_one_used(default_framework):
    # What another machine wrote under the version's key is read as is: nothing in this process overrides it.
    names = {"XB": ("他处写入", "written elsewhere")}
    cache.set(version_key(default_framework, "names"), names, timeout=None)
    assert node_names(_fresh(default_framework)) == names


def test_a_draft_is_read_afresh_and_never_cached(default_framework):
    draft = framework_clone_as_draft(framework=default_framework, version="1.9")
    before = framework_scoring_tree(draft)
    node = FrameworkNode.objects.filter(framework=draft, kind=FrameworkNode.Kind.INDICATOR).first()
    FrameworkNode.objects.filter(pk=node.pk).update(weight=Decimal("7"))
    after = framework_scoring_tree(Framework.objects.get(pk=draft.pk))
    assert after.weight_of[node.code] == 7.0 != before.weight_of[node.code]
    assert cache.get(version_key(draft, "tree")) is None
    assert cache.get(version_key(draft, "names")) is None
    node_names(draft)
    assert cache.get(version_key(draft, "names")) is None


def test_the_key_names_the_version_and_the_cache_shape():
    published = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    framework = Framework(pk=3, code="DSMF", version="1.0", published_at=published)
    assert version_key(framework, "tree") == (
        f"framework:{FRAMEWORK_CACHE_VERSION}:tree:3:DSMF:1.0:2026-01-02T03:04:05+00:00"
    )


KEYS_SCRIPT = """
import datetime as dt, django, types
django.setup()
from assessment.models import Framework
from assessment.framework_cache import version_key
from assessment.what_if_cache import prepared_key
framework = Framework(pk=3, code="DSMF", version="1.0", published_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
snapshot = types.SimpleNamespace(key="YRD|2025|3|consultant|7@1767225600.000000", framework=framework)
print(version_key(framework, "tree"))
print(prepared_key(snapshot))
from django.conf import settings
print(settings.CACHES["default"]["KEY_PREFIX"])
"""


def _keys_in_a_new_process(seed: str) -> list[str]:
    environment = {**os.environ, "PYTHONHASHSEED": seed, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    environment.pop("CACHE_RELEASE", None)
    completed = subprocess.run(  # noqa: S603 - this interpreter on a fixed script
        [sys.executable, "-c", KEYS_SCRIPT], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.split()


def test_keys_are_the_same_string_in_every_process():
    import types

    first, second = _keys_in_a_new_process("1"), _keys_in_a_new_process("2")
    assert first == second and len(first) == 3
    framework = Framework(pk=3, code="DSMF", version="1.0", published_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    snapshot = types.SimpleNamespace(key="YRD|2025|3|consultant|7@1767225600.000000", framework=framework)
    assert first[:2] == [version_key(framework, "tree"), prepared_key(snapshot)]  # type: ignore[arg-type]
    # The release's fingerprint in the prefix: entries of another release (other templates, texts, classes)
    # are never read, and every machine of one release computes the same one.
    assert first[2] == f"dualspace:{release_fingerprint()}" and len(release_fingerprint()) == 12


def test_the_release_fingerprint_follows_code_templates_and_texts_not_compiled_catalogues(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>{{ rank }}</p>")
    catalogue = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django"
    catalogue.with_suffix(".po").write_text('msgid "Rank"\nmsgstr "排名"\n')
    catalogue.with_suffix(".mo").write_bytes(b"compiled here")
    first = release_fingerprint(tmp_path)
    catalogue.with_suffix(".mo").write_bytes(b"compiled on another machine")
    assert release_fingerprint(tmp_path) == first
    page.write_text("<p>{{ rank }} / {{ cities }}</p>")
    second = release_fingerprint(tmp_path)
    assert second != first
    catalogue.with_suffix(".po").write_text('msgid "Rank"\nmsgstr "位次"\n')
    assert release_fingerprint(tmp_path) not in (first, second)


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("redis://cache.internal:6379/1", "redis://cache.internal:6379/1"),
        ("rediss://cache.internal:6380/0", "rediss://cache.internal:6380/0"),
        ("valkey://cache.internal:6379/2", "redis://cache.internal:6379/2"),
    ],
)
def test_cache_url_naming_redis_or_valkey_chooses_django_redis_cache(monkeypatch, url, location):
    monkeypatch.setenv("CACHE_URL", url)
    monkeypatch.delenv("CACHE_KEY_PREFIX", raising=False)
    monkeypatch.delenv("CACHE_RELEASE", raising=False)
    default = caches()["default"]
    assert default["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert default["LOCATION"] == location
    assert default["KEY_PREFIX"] == f"dualspace:{release_fingerprint()}"


def test_a_deployment_may_name_its_release(monkeypatch):
    monkeypatch.setenv("CACHE_RELEASE", "4a5e420")
    monkeypatch.setenv("CACHE_KEY_PREFIX", "yrd")
    assert caches()["default"]["KEY_PREFIX"] == "yrd:4a5e420"


@pytest.mark.parametrize("url", [None, "db://"])
def test_no_cache_url_or_db_chooses_the_database_table(monkeypatch, url):
    if url is None:
        monkeypatch.delenv("CACHE_URL", raising=False)
    else:
        monkeypatch.setenv("CACHE_URL", url)
    default = caches()["default"]
    assert default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert default["LOCATION"] == CACHE_TABLE


@pytest.mark.parametrize("url", ["memcached://cache.internal:11211", "locmem://", "cache.internal:6379"])
def test_a_cache_url_of_another_kind_is_refused_naming_cache_url(monkeypatch, url):
    monkeypatch.setenv("CACHE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        caches()
