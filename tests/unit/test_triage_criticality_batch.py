"""The batch forms of rounding and calibration give what round() and _sigmoid give."""

from __future__ import annotations

import random

import numpy as np

from council_social.triage.criticality import _calibrated, _rounded, _sigmoid


def _values() -> list[float]:
    rnd = random.Random(11)
    values = [rnd.random() for _ in range(20_000)]
    # values at and a few ulps either side of 6-digit ties, and edge cases
    for k in range(0, 1_000_000, 997):
        tie = (k + 0.5) / 1e6
        values += [tie, float(np.nextafter(tie, 0.0)), float(np.nextafter(tie, 1.0))]
    values += [0.0, -0.0, 1.0, -1.0, 1e-12, -0.4999995, 2.0 ** 31, 1e300, float("inf")]
    return values


def test_batch_rounding_is_round():
    values = _values()
    got = _rounded(np.array(values), 6)
    assert [repr(x) for x in got] == [repr(round(v, 6)) for v in values]


def test_batch_calibration_is_the_sigmoid():
    z = np.array([x * 40 - 20 for x in _values()[:5000]] + [0.0, -0.0, 700.0, -745.0, 800.0])
    for a, b in ((1.3, -0.2), (-2.0, 0.7)):
        got = _calibrated(z, a, b).tolist()
        assert [repr(x) for x in got] == [repr(_sigmoid(a * d + b)) for d in z.tolist()]
