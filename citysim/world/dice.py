"""Deterministic random numbers: a pure function of a key, the same on every run and platform."""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_BLOCK = struct.Struct("<16I")
_SCALE = 1.0 / 2**32


class Dice:
    """Uniform numbers in [0, 1) drawn in order from BLAKE2b of ``key`` (never ``hash()``)."""

    __slots__ = ("_block", "_key", "_pos", "_values")

    def __init__(self, *key: object) -> None:
        self._key = "|".join(map(str, key)).encode()
        self._block = 0
        self._values: tuple[int, ...] = ()
        self._pos = 0

    def random(self) -> float:
        """The next number in [0, 1)."""
        if self._pos == len(self._values):
            digest = hashlib.blake2b(self._key, digest_size=64, salt=self._block.to_bytes(16))
            self._values = _BLOCK.unpack(digest.digest())
            self._block += 1
            self._pos = 0
        value = self._values[self._pos]
        self._pos += 1
        return value * _SCALE

    def uniform(self, low: float, high: float) -> float:
        """A number in [low, high)."""
        return low + (high - low) * self.random()

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high] (both included)."""
        return low + int((high - low + 1) * self.random())

    def chance(self, probability: float) -> bool:
        """True with ``probability``."""
        return self.random() < probability

    def choice(self, options: Sequence[T]) -> T:
        """One of ``options``."""
        return options[int(len(options) * self.random())]

    def sample(self, options: Sequence[T], low: int, high: int) -> list[T]:
        """Between ``low`` and ``high`` distinct ``options``, in their original order."""
        count = min(len(options), self.integer(low, high))
        keyed = sorted(range(len(options)), key=lambda _: self.random())[:count]
        return [options[i] for i in sorted(keyed)]

    def normal(self, mean: float = 0.0, sd: float = 1.0) -> float:
        """A normally distributed number (Box-Muller)."""
        u = 1.0 - self.random()
        return mean + sd * math.sqrt(-2.0 * math.log(u)) * math.cos(2.0 * math.pi * self.random())
