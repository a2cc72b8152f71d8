import pytest

from orders_api.store import CircuitBreaker, Unavailable, with_retries


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_breaker_opens_at_failure_rate_and_recovers_after_trial():
    clock = Clock()
    b = CircuitBreaker(failure_rate=0.5, window=4, open_s=30, clock=clock)
    for ok in (True, True, False):
        b.record(ok)
    assert not b.is_open  # window not full yet
    b.record(False)  # 2 of 4 failed
    assert b.is_open and not b.allow()
    clock.now = 31
    assert b.allow()  # one trial call
    assert not b.allow()  # the rest still fail fast
    b.record(True)
    assert not b.is_open and b.allow()


def test_breaker_reopens_when_trial_fails():
    clock = Clock()
    b = CircuitBreaker(failure_rate=1.0, window=2, open_s=10, clock=clock)
    b.record(False)
    b.record(False)
    clock.now = 10
    assert b.allow()
    b.record(False)
    assert b.is_open and not b.allow()


def test_retries_back_off_then_succeed():
    calls, sleeps = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise Unavailable("down")
        return "ok"

    assert with_retries(flaky, attempts=3, initial_s=0.05, max_s=0.5, sleep=sleeps.append) == "ok"
    assert len(calls) == 3 and len(sleeps) == 2
    assert all(0 <= s <= 0.5 for s in sleeps)


def test_retries_give_up_after_max_attempts():
    def down():
        raise Unavailable("down")

    with pytest.raises(Unavailable):
        with_retries(down, attempts=3, initial_s=0.01, max_s=0.02, sleep=lambda s: None)
