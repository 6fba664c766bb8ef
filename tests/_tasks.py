"""Module-level task functions for the execution tests (picklable by reference in worker processes)."""

from __future__ import annotations

import os

import numpy as np


def square(x: int) -> int:
    return x * x


def scaled(x: int, shared: dict) -> float:
    return x * shared["factor"]


def pid_of(_: int) -> int:
    return os.getpid()


def seeded_draw(key: str) -> float:
    """A draw whose seed comes from the item (never from the worker): same value anywhere."""
    seed = int.from_bytes(key.encode("utf-8"), "little") % (2**32)
    return float(np.random.default_rng(seed).standard_normal())


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three is not allowed")
    return x
