"""The HTTP layer without a network: 429 waits and their budget, query strings, masking."""

from __future__ import annotations

import logging
from email.utils import formatdate

import pytest

from council_social.transport import (
    RateLimitRetry,
    query_url,
    rate_limit_wait,
    redact,
    register_secret,
)

NOW = 1_800_000_000.0


class Resp:
    def __init__(self, status: int, **headers):
        self.status_code = status
        self.headers = {k.replace("_", "-"): v for k, v in headers.items()}


@pytest.mark.parametrize(("headers", "wait"), [
    ({"Retry_After": "30"}, 30.0),
    ({"Retry_After": formatdate(NOW + 10, usegmt=True)}, 10.0),  # an HTTP date
    ({"x_rate_limit_reset": str(int(NOW) + 5)}, 6.0),         # +1 s: whole seconds
    ({"x_rate_limit_reset": str(int(NOW) - 50)}, 1.0),        # already reset
    ({}, None),
    ({"Retry_After": "soon"}, None),
])
def test_rate_limit_wait_reads_either_header(headers, wait):
    assert rate_limit_wait(Resp(429, **headers), lambda: NOW) == wait


def run(answers, budget):
    sleeps: list[float] = []
    it = iter(answers)
    waits = RateLimitRetry(budget, sleep=sleeps.append, clock=lambda: NOW)
    resp, limited = waits.call(lambda: next(it))
    return resp.status_code, limited, sleeps, waits.waited


def test_429s_are_waited_out_within_the_budget():
    limited = Resp(429, Retry_After="20")
    assert run([limited, limited, Resp(200)], 60) == (200, False, [20.0, 20.0], 40.0)
    # A wait that would pass the budget is not started: the 429 comes back.
    assert run([limited, limited, Resp(200)], 30) == (429, True, [20.0], 20.0)
    # Without a known wait, or after three retries, it stops too.
    assert run([Resp(429)], 60) == (429, True, [], 0.0)
    short = Resp(429, Retry_After="1")
    assert run([short] * 5, 60) == (429, True, [1.0, 1.0, 1.0], 3.0)


def test_query_strings_are_urlencoded_without_secrets():
    url = query_url("http://h/services/rest/?old=1", {"text": "Brent & Kilburn", "api_key": "k",
                                                      "tags": ["a b", "c"]})
    assert url == "http://h/services/rest/?text=Brent+%26+Kilburn&tags=a+b&tags=c"


def test_redaction_masks_keys_tokens_and_registered_secrets(caplog):
    register_secret("Zq9-registered-secret")
    line = ('GET /youtube/v3/videos?part=id&key=AIzaKEY HTTP/1.1 monkey=1 '
            '{"Authorization": "Bearer abc.def"} Zq9-registered-secret')
    assert redact(line) == ('GET /youtube/v3/videos?part=id&key=*** HTTP/1.1 monkey=1 '
                            '{"Authorization": "Bearer ***"} ***')
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("urllib3.connectionpool").debug(
            '%s "%s"', "http://h:80", "GET /services/rest/?api_key=Zq9-registered-secret&x=1")
    assert caplog.records[-1].getMessage() == 'http://h:80 "GET /services/rest/?api_key=***&x=1"'
