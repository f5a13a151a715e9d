"""The per-client token bucket: its arithmetic with a clock the test sets, and the 429 it makes through the app."""

import pytest

from webui import create_app
from webui.ratelimit import Buckets

from .conftest import make_settings


def test_a_bucket_holds_a_minute_and_refills_as_it_goes():
    buckets = Buckets(60)  # one a second
    assert [buckets.take("a", now=0.0) for _ in range(60)] == [0.0] * 60
    assert buckets.take("a", now=0.0) == pytest.approx(1.0)
    assert buckets.take("a", now=0.25) == pytest.approx(0.75)  # a refused request takes nothing
    assert buckets.take("a", now=1.0) == 0.0 and buckets.take("a", now=1.0) == pytest.approx(1.0)
    assert buckets.take("b", now=1.0) == 0.0  # another client has its own
    assert buckets.take("a", now=600.0) == 0.0 and [buckets.take("a", now=600.0) for _ in range(59)] == [0.0] * 59


def test_a_bucket_of_less_than_one_a_minute_still_holds_one():
    buckets = Buckets(0.5)
    assert buckets.take("a", now=0.0) == 0.0 and buckets.take("a", now=0.0) == pytest.approx(120.0)


def test_the_longest_unseen_client_is_forgotten_first():
    buckets = Buckets(1, clients=2)
    for client in ("a", "b"):
        assert buckets.take(client, now=0.0) == 0.0
    assert buckets.take("a", now=1.0) > 0  # "a" is now the latest seen
    assert buckets.take("c", now=1.0) == 0.0  # "b" is forgotten
    assert buckets.take("a", now=1.0) > 0 and buckets.take("b", now=1.0) == 0.0


def limited_client(index, tmp_path, per_minute: int, workers: int = 1):
    settings = make_settings(tmp_path, rate_limit=str(per_minute), workers=str(workers))
    return create_app({"TESTING": True, "PRECEDENT_INDEX": index, "PRECEDENT_WARM": False}, settings=settings).test_client()


def test_past_the_limit_a_client_is_answered_429_with_retry_after(index, tmp_path):
    client = limited_client(index, tmp_path, 3)
    one, other = {"REMOTE_ADDR": "192.0.2.1"}, {"REMOTE_ADDR": "192.0.2.2"}
    urls = ["/api/search?q=custody", "/export.csv?q=custody", "/ledger"]
    assert [client.get(url, environ_base=one).status_code for url in urls] == [200, 200, 200]
    for url in ("/?q=custody", "/doc/no-such-doc", "/api/ledger", "/export.md?q=custody"):
        response = client.get(url, environ_base=one)
        assert response.status_code == 429 and response.headers["Retry-After"] == "20", url  # 3 a minute: one in 20 s
        assert "Too many requests from this address (the limit is 3 a minute); try again in 20 seconds." in \
            response.get_data(as_text=True).replace("&#39;", "'")
    assert client.get("/api/status", environ_base=one).get_json()["error"]["status"] == 429
    with client.get("/static/style.css", environ_base=one) as static:
        assert static.status_code == 200  # static files are free
    assert client.get("/api/search?q=custody", environ_base=other).status_code == 200


def test_each_process_allows_its_share(index, tmp_path):
    client = limited_client(index, tmp_path, 4, workers=2)
    assert [client.get("/api/status").status_code for _ in range(3)] == [200, 200, 429]


def test_off_by_default_in_tests_and_at_zero(client):
    assert {client.get("/api/status").status_code for _ in range(400)} == {200}
