"""How long a sign-in must wait after failures: slow down, then lock (no Django here).

Failures are counted per *key* (one account's username, or one client address). The
first few are free; after that each further attempt must wait twice as long as the last
(1, 2, 4 … seconds, at most ``max_wait_seconds``); at ``lock_after`` failures the key is
locked for ``lock_seconds``. A key with no failure for ``forget_after_seconds`` starts
afresh. A refused attempt never reaches the password check, so it costs next to nothing.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Policy:
    free_failures: int
    lock_after: int
    lock_seconds: int = 15 * 60
    max_wait_seconds: int = 60
    forget_after_seconds: int = 60 * 60


# One account: a person mistyping three times is not slowed; ten failures lock it.
ACCOUNT = Policy(free_failures=3, lock_after=10)
# One address: a front desk shares one address for every member of staff, so more room.
ADDRESS = Policy(free_failures=10, lock_after=50)


@dataclass(frozen=True)
class State:
    failures: int = 0
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None


def _forgotten(policy: Policy, state: State, now: datetime) -> bool:
    return state.last_failure_at is None or now - state.last_failure_at > timedelta(
        seconds=policy.forget_after_seconds
    )


def wait_seconds(policy: Policy, state: State, now: datetime) -> int:
    """Whole seconds before another attempt may be checked; 0 means now."""
    if state.locked_until is not None and now < state.locked_until:
        return math.ceil((state.locked_until - now).total_seconds())
    if _forgotten(policy, state, now) or state.failures < policy.free_failures:
        return 0
    delay = min(2 ** (state.failures - policy.free_failures), policy.max_wait_seconds)
    remaining = (state.last_failure_at + timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(remaining))


def after_failure(policy: Policy, state: State, now: datetime) -> State:
    """The state once one more failure is counted; ``locked_until`` set when it locks."""
    failures = 1 if _forgotten(policy, state, now) else state.failures + 1
    locked_until = state.locked_until
    if failures >= policy.lock_after:
        locked_until = now + timedelta(seconds=policy.lock_seconds)
    return State(failures=failures, last_failure_at=now, locked_until=locked_until)


def newly_locked(before: State, after: State, now: datetime) -> bool:
    was_locked = before.locked_until is not None and now < before.locked_until
    return after.locked_until is not None and now < after.locked_until and not was_locked
