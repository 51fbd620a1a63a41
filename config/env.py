"""The one place that reads the process environment for settings.

Every setting that may differ between machines is declared in
``config.settings.base`` through these readers, so a reader of ``base.py``
sees every knob the deployment has.
"""

import json
import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_required(name: str, hint: str) -> str:
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} is required: {hint}")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def env_mapping(name: str) -> dict[str, str]:
    """A name -> value table: JSON ({"a": "b"}) or "a=b;c=d" (directory groups or claims to roles and cities).

    Each pair splits at its last "=", so an LDAP group DN (cn=x,ou=groups,dc=example) may be a name.
    """
    value = (os.environ.get(name) or "").strip()
    if not value:
        return {}
    if value.startswith("{"):
        try:
            table = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from exc
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise ImproperlyConfigured(f"{name} must be a JSON object of strings, not {value!r}.")
        return {str(key): item for key, item in table.items()}
    table: dict[str, str] = {}
    for pair in value.split(";"):
        if not pair.strip():
            continue
        key, sep, item = pair.rpartition("=")
        if not sep or not key.strip() or not item.strip():
            raise ImproperlyConfigured(f"{name} must read 'name=value;name=value', not {value!r}.")
        table[key.strip()] = item.strip()
    return table
