"""Small readers for settings that come from the environment.

Each reader rejects a value it cannot understand with ImproperlyConfigured, so a
typo in a deployment stops the process at start instead of silently turning a
security setting off.
"""

import os

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name, default=None):
    value = _raw(name)
    return default if value is None else value


def env_bool(name, default):
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name, default, *, minimum=None, maximum=None):
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} must be at most {maximum}.")
    return number


def env_list(name, default=()):
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_mapping(name, default=None):
    """`key=value,key=value` as a dict; a pair without `=` stops the process."""
    value = _raw(name)
    if value is None:
        return dict(default or {})
    mapping = {}
    for pair in value.split(","):
        if not pair.strip():
            continue
        key, sep, item = pair.partition("=")
        if not sep or not key.strip() or not item.strip():
            raise ImproperlyConfigured(f"{name}: {pair.strip()!r} is not of the form key=value.")
        mapping[key.strip()] = item.strip()
    return mapping


def env_url(name, default=None):
    """An http(s) URL without a trailing slash."""
    url = env_str(name, default)
    if url is not None and not url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"{name}={url!r} must start with http:// or https://.")
    return url.rstrip("/") if url else url


def env_database(name, default_url):
    """Parse a database URL (postgres://, sqlite:///) into Django's DATABASES entry."""
    url = env_str(name, default_url)
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several kinds for a bad URL
        raise ImproperlyConfigured(f"{name} is not a usable database URL: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured(
            f"{name} must point at PostgreSQL (postgres://…) or SQLite (sqlite:///…), not {engine or url!r}."
        )
    return config


def env_redis_url(name):
    url = env_str(name)
    if url is not None and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name}={url!r} must start with redis://, rediss:// or unix://.")
    return url
