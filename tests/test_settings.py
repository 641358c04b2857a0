"""Start-up from the environment: bad values stop the process with a message naming the fix.

Each test starts a fresh Python with a controlled environment, the way a server would start.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
SETUP = "import django; django.setup()"
SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'debug': s.DEBUG, "
    "'secret_length': len(s.SECRET_KEY), 'static': s.STORAGES['staticfiles']['BACKEND'], "
    "'allowed_hosts': s.ALLOWED_HOSTS, 'iron_lookback_days': s.IRON_LOOKBACK_DAYS, "
    "'min_age': s.MIN_AGE, 'protocol_rules': s.ENABLE_CLINIC_PROTOCOL_RULES}))"
)


def start(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `code` in a new interpreter whose environment holds only PATH and `env`."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def failure_message(result: subprocess.CompletedProcess) -> str:
    """The last line of the traceback: the exception and its message."""
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DEBUG": "maybe", "SECRET_KEY": "x"},
            "DEBUG must be one of: true, false, 1, 0, yes, no (got 'maybe')",
        ),
        (
            {"IRON_LOOKBACK_DAYS": "ninety", "SECRET_KEY": "x"},
            "IRON_LOOKBACK_DAYS must be a whole number from 0 upwards (got 'ninety')",
        ),
        (
            {"IRON_LOOKBACK_DAYS": "-1", "SECRET_KEY": "x"},
            "IRON_LOOKBACK_DAYS must be a whole number from 0 upwards (got '-1')",
        ),
        (
            {"INVITATION_TTL_DAYS": "0", "SECRET_KEY": "x"},
            "INVITATION_TTL_DAYS must be a whole number from 1 upwards (got '0')",
        ),
        (
            {"EMAIL_PORT": "70000", "SECRET_KEY": "x"},
            "EMAIL_PORT must be a whole number from 1 to 65535 (got '70000')",
        ),
        (
            {"DATABASE_URL": "mongodb://db.example/intake", "SECRET_KEY": "x"},
            "DATABASE_URL must be a database URL such as postgres://USER:PASSWORD@HOST:5432/NAME "
            "or sqlite:////absolute/path/db.sqlite3 (the scheme 'mongodb' is not supported)",
        ),
        (
            {"DATABASE_URL": "postgres://user:secret@db.example:port/intake", "SECRET_KEY": "x"},
            "DATABASE_URL must be a database URL such as postgres://USER:PASSWORD@HOST:5432/NAME "
            "or sqlite:////absolute/path/db.sqlite3 (it is not a valid URL)",
        ),
        (
            {"DATABASE_URL": "postgres://db.example", "SECRET_KEY": "x"},
            "DATABASE_URL must be a database URL such as postgres://USER:PASSWORD@HOST:5432/NAME "
            "or sqlite:////absolute/path/db.sqlite3 (it names no database)",
        ),
        (
            {},
            "SECRET_KEY must be set when DEBUG is off (a long random string; "
            "with DEBUG=true a development secret is generated)",
        ),
        (
            {"DEBUG": "false", "SECRET_KEY": "  "},
            "SECRET_KEY must be set when DEBUG is off (a long random string; "
            "with DEBUG=true a development secret is generated)",
        ),
        (
            {"RATE_LIMIT_API": "lots", "SECRET_KEY": "x"},
            "RATE_LIMIT_API must be a rate such as 20/h: a count, a slash and s, m, h or d "
            "(got 'lots')",
        ),
        (
            {"WEBHOOK_TIMEOUT_SECONDS": "60", "SECRET_KEY": "x"},
            "WEBHOOK_TIMEOUT_SECONDS must be a whole number from 1 to 30 (got '60')",
        ),
        (
            {"WEBHOOK_ALLOW_HTTP": "sometimes", "SECRET_KEY": "x"},
            "WEBHOOK_ALLOW_HTTP must be one of: true, false, 1, 0, yes, no (got 'sometimes')",
        ),
        (
            {"TIME_ZONE": "Mars/Olympus", "SECRET_KEY": "x"},
            "TIME_ZONE must be an IANA time zone name such as UTC or Europe/London "
            "(got 'Mars/Olympus')",
        ),
    ],
)
def test_settings_bad_value_stops_startup_with_message(env, message):
    result = start(SETUP, **env)

    assert result.returncode == 1
    assert failure_message(result) == f"django.core.exceptions.ImproperlyConfigured: {message}"


PHONE_REFUSED = (
    "CLINIC_PHONE must be a phone number of digits in groups joined by spaces or hyphens, "
    "maybe after a +, such as 020 7946 0958 (got {!r})"
)


@pytest.mark.parametrize(
    "phone",
    ["call us", "020 7946 0958 ext 4", "0207<b>", "12", "+44  20 7946 0958", "020--7946", "1" * 21],
)
def test_settings_clinic_phone_that_cannot_dial_stops_startup(phone):
    result = start(SETUP, CLINIC_PHONE=phone, SECRET_KEY="x")

    assert result.returncode == 1
    assert failure_message(result) == (
        f"django.core.exceptions.ImproperlyConfigured: {PHONE_REFUSED.format(phone)}"
    )


def test_settings_clinic_name_and_phone_from_environment_or_the_demo_defaults():
    show = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CLINIC_NAME, s.CLINIC_PHONE]))"
    )

    given = start(show, SECRET_KEY="x", CLINIC_NAME="Hill Clinic", CLINIC_PHONE="+44 20-7946 0000")
    default = start(show, SECRET_KEY="x")

    assert json.loads(given.stdout) == ["Hill Clinic", "+44 20-7946 0000"]
    assert json.loads(default.stdout) == ["Riverside Sleep and Gut Clinic", "020 7946 0958"]


@pytest.mark.parametrize(
    ("cache_url", "backend"),
    [
        (None, "django.core.cache.backends.db.DatabaseCache"),
        ("redis://127.0.0.1:6379/3", "intake.redis_cache.RedisCache"),
    ],
)
def test_settings_cache_url_chooses_the_shared_cache(cache_url, backend):
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "import json; print(json.dumps([s.CACHES['default']['BACKEND'], s.SILENCED_SYSTEM_CHECKS]))"
    )
    env = {"SECRET_KEY": "x", **({"CACHE_URL": cache_url} if cache_url else {})}

    result = start(show, **env)

    assert result.returncode == 0, result.stderr
    silenced = (
        ["django_ratelimit.E003", "django_ratelimit.W001"]
        if cache_url is None
        else [
            "django_ratelimit.W001"  # the backend's name is not on its list: Django's, subclassed
        ]
    )
    assert json.loads(result.stdout) == [backend, silenced]


def test_settings_bad_cache_url_stops_startup_without_echoing_it():
    result = start(SETUP, CACHE_URL="memcached://secret-host:11211", SECRET_KEY="x")

    assert result.returncode == 1
    assert failure_message(result) == (
        "django.core.exceptions.ImproperlyConfigured: CACHE_URL must be a Redis URL such as "
        "redis://127.0.0.1:6379/0 (got a value that is not one)"
    )
    assert result.stderr.count("secret-host") == 0


def test_settings_bad_database_url_is_not_echoed():
    result = start(SETUP, DATABASE_URL="postgres://user:hunter2@db.example:port/x", SECRET_KEY="x")

    assert result.returncode == 1
    assert result.stderr.count("hunter2") == 0


def test_settings_production_hashes_passwords_with_argon2():
    # The test run swaps in a fast hasher (tests/conftest.py); a started server never does.
    result = start(
        SETUP + "; from django.contrib.auth.hashers import make_password; "
        "print(make_password('x-pass-12345').split('$')[0])",
        SECRET_KEY="x",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "argon2"


def test_settings_tests_hash_passwords_with_md5_for_speed():
    from django.contrib.auth.hashers import make_password

    assert make_password("x-pass-12345").split("$")[0] == "md5"


def test_settings_defaults_give_sqlite_in_project_folder():
    result = start(SHOW, SECRET_KEY="x")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "django.db.backends.sqlite3",
        "name": str(BASE_DIR / "db.sqlite3"),
        "debug": False,
        "secret_length": 1,
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "allowed_hosts": ["127.0.0.1", "localhost"],
        "iron_lookback_days": 90,
        "min_age": 6,
        "protocol_rules": True,
    }


def test_settings_debug_without_secret_generates_one_and_serves_static_from_source():
    result = start(SHOW, DEBUG="yes")

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert (shown["debug"], shown["secret_length"], shown["static"]) == (
        True,
        50,
        "django.contrib.staticfiles.storage.StaticFilesStorage",
    )


def test_settings_values_from_environment_are_used():
    result = start(
        SHOW,
        SECRET_KEY="x",
        DATABASE_URL="postgres://intake@db.example:5432/intake",
        ALLOWED_HOSTS=" intake.example , www.intake.example ,",
        IRON_LOOKBACK_DAYS="30",
        MIN_AGE="18",
        ENABLE_CLINIC_PROTOCOL_RULES="No",
        STATIC_MANIFEST="false",
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "django.db.backends.postgresql",
        "name": "intake",
        "debug": False,
        "secret_length": 1,
        "static": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "allowed_hosts": ["intake.example", "www.intake.example"],
        "iron_lookback_days": 30,
        "min_age": 18,
        "protocol_rules": False,
    }


def test_readme_lists_every_environment_variable():
    settings_source = (BASE_DIR / "clinic" / "settings.py").read_text()
    readme = (BASE_DIR / "README.md").read_text()

    # Every read goes through a helper named env_<type>(...) or <thing>_from_env(...).
    helper_call = r"(?:\benv_[a-z]+|_from_env)\(\s*\"([A-Z][A-Z0-9_]+)\""
    read_by_settings = set(re.findall(helper_call, settings_source))
    in_readme_table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))

    assert read_by_settings == in_readme_table


SHOW_MESSAGING = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'dob_first': s.REQUIRE_DOB_ON_FIRST_OPEN, 'tasks': s.TASKS, "
    "'rq_url': s.RQ_QUEUES['default']['URL'], 'rq_apps': 'django_rq' in s.INSTALLED_APPS, "
    "'region': s.PHONE_REGION, 'sms': s.SMS_BACKEND}))"
)


@pytest.mark.parametrize(
    ("env", "dob_first"),
    [
        ({}, True),  # DEBUG off: SMTP, so links really travel by email
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, False),
        ({"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, False),
        ({"DEBUG": "true"}, False),  # the console backend
        ({"DEBUG": "true", "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend"}, True),
        ({"REQUIRE_DOB_ON_FIRST_OPEN": "false"}, False),
        (
            {
                "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
                "REQUIRE_DOB_ON_FIRST_OPEN": "true",
            },
            True,
        ),
    ],
)
def test_settings_date_of_birth_on_first_open_defaults_to_whether_email_sends(env, dob_first):
    result = start(SHOW_MESSAGING, SECRET_KEY="x", **env)
    assert json.loads(result.stdout)["dob_first"] is dob_first, result.stderr


def test_settings_messaging_defaults():
    result = start(SHOW_MESSAGING, SECRET_KEY="x")
    assert json.loads(result.stdout) == {
        "dob_first": True,
        "tasks": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        "rq_url": "redis://127.0.0.1:6379/0",
        "rq_apps": False,
        "region": "GB",
        "sms": "intake.notifications.sms.ConsoleBackend",
    }


def test_settings_tasks_backend_rq_uses_redis_and_its_apps():
    result = start(
        SHOW_MESSAGING,
        SECRET_KEY="x",
        TASKS_BACKEND="rq",
        TASKS_REDIS_URL="redis://127.0.0.1:6379/3",
        PHONE_REGION="ie",
    )
    shown = json.loads(result.stdout)
    assert (shown["tasks"], shown["rq_url"], shown["rq_apps"], shown["region"]) == (
        {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
        "redis://127.0.0.1:6379/3",
        True,
        "IE",
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND must be one of: database, rq (got 'celery')"),
        (
            {"TASKS_REDIS_URL": "http://127.0.0.1:6379/0"},
            "TASKS_REDIS_URL must be a Redis URL such as redis://127.0.0.1:6379/0 (got a value "
            "that is not one)",
        ),
        (
            {"PHONE_REGION": "UK"},
            "PHONE_REGION must be a two-letter country code such as GB or IE (got 'UK')",
        ),
        (
            {"REQUIRE_DOB_ON_FIRST_OPEN": "perhaps"},
            "REQUIRE_DOB_ON_FIRST_OPEN must be one of: true, false, 1, 0, yes, no (got 'perhaps')",
        ),
        (
            {"FHIR_MRN_SYSTEM": "hospital numbers"},
            "FHIR_MRN_SYSTEM must be an absolute URI such as https://hospital.example/fhir/sid/mrn "
            "or urn:oid:1.2.3.4 (got 'hospital numbers')",
        ),
    ],
)
def test_settings_bad_messaging_value_stops_startup_with_message(env, message):
    result = start(SETUP, SECRET_KEY="x", **env)

    assert result.returncode == 1
    assert failure_message(result) == f"django.core.exceptions.ImproperlyConfigured: {message}"
