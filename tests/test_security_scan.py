"""bandit, the static security scanner, finds nothing in the code that indexes and serves. The lines it
flags and that are safe say why beside them (``# nosec`` and the check's id); docs/reliability.md lists them."""

import json
import subprocess
import sys

from .conftest import REPO

JUSTIFIED = 5  # the # nosec lines docs/reliability.md lists, each with its reason


def test_bandit_finds_nothing_that_is_not_justified():
    run = subprocess.run([sys.executable, "-m", "bandit", "-r", "indexer", "webui", "-f", "json", "-q"], cwd=REPO,
                         capture_output=True, text=True)
    report = json.loads(run.stdout)
    assert [(r["test_id"], r["filename"], r["line_number"]) for r in report["results"]] == []
    assert report["metrics"]["_totals"]["skipped_tests"] == JUSTIFIED, "a new # nosec: say why in docs/reliability.md"
    assert not report["errors"] and run.returncode == 0
