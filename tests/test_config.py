import os
import re

import pytest

from indexer.config import SETTINGS, Settings
from indexer.errors import ConfigError

from .conftest import REPO


def test_every_setting_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        default = re.escape(f"`{setting.default}`" if setting.default else "(empty)")
        row = re.search(rf"^\| `{setting.env}` \| {default} \|", readme, re.MULTILINE)
        assert row, f"{setting.env} (default {setting.default!r}) is missing from the README's settings table"


def test_defaults_bind_loopback_and_flags_win_over_environment():
    defaults = Settings.load(env={})
    assert (defaults.host, defaults.port, defaults.rrf_k, defaults.candidates) == ("127.0.0.1", 8000, 60, 100)
    assert defaults.rate_limit == 300 and Settings.load(env={"PRECEDENT_RATE_LIMIT": "0"}).rate_limit == 0
    settings = Settings.load(env={"PRECEDENT_PORT": "9000", "PRECEDENT_HOST": "0.0.0.0"}, port="9100")
    assert (settings.host, settings.port) == ("0.0.0.0", 9100)


def test_workers_default_to_one_per_core_this_process_may_use():
    assert Settings.load(env={}).workers == len(os.sched_getaffinity(0))
    assert Settings.load(env={"PRECEDENT_WORKERS": "auto"}, workers="3").workers == 3


@pytest.mark.parametrize("env, message", [
    ({"PRECEDENT_PORT": "eighty"}, "PRECEDENT_PORT must be a whole number"),
    ({"PRECEDENT_PORT": "70000"}, "PRECEDENT_PORT must be between 1 and 65535"),
    ({"PRECEDENT_BATCH_SIZE": "0"}, "PRECEDENT_BATCH_SIZE must be between 1"),
    ({"PRECEDENT_WORKERS": "many"}, "PRECEDENT_WORKERS must be a whole number or auto"),
    ({"PRECEDENT_RATE_LIMIT": "-1"}, "PRECEDENT_RATE_LIMIT must be between 0 and 1000000"),
    ({"PRECEDENT_QUERY_SECONDS": "61"}, "PRECEDENT_QUERY_SECONDS must be a number from 0 to 60, got '61'"),
    ({"PRECEDENT_QUERY_SECONDS": "nan"}, "PRECEDENT_QUERY_SECONDS must be a number from 0 to 60"),
    ({"PRECEDENT_SEMANTIC_WEIGHT": "2"}, "PRECEDENT_SEMANTIC_WEIGHT must be a number from 0 to 1"),
])
def test_bad_values_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.load(env=env)
