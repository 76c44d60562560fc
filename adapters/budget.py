"""One memory budget for the answers of every platform a gateway asks at once.

Each answer has its own cap (``AdapterContext.max_response_bytes``), but caps add up: the
cap times the connections per city times the cities (finding L11 of issue 13: 24
concurrent queries to 3 cities took a gateway from 577 to 2,213 MiB). ``AnswerBudget``
bounds the sum: every adapter of one gateway takes the bytes it reads from the same
budget, holds them until the answer is parsed, and gives them back. An answer that would
take more than is left is not read further: ``AnswerBudgetSpent``, a clear error in that
city's coverage, while the other cities' answers carry on.
"""

from __future__ import annotations

from types import TracebackType

from adapters.errors import UpstreamError

_MiB = 1024 * 1024


class AnswerBudgetSpent(UpstreamError):
    """The gateway's budget for upstream answers is spent: this answer was not read whole."""


class AnswerBudget:
    """Bytes of upstream answers held at once, by every adapter that shares it (one event
    loop: no lock needed)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        """Bytes taken now, by every lease."""

    def lease(self) -> Lease:
        """A lease for one answer: bytes are taken as they arrive, all given back at once."""
        return Lease(self)


class Lease:
    """What one answer holds of a budget; ``with`` gives it all back on the way out."""

    def __init__(self, budget: AnswerBudget) -> None:
        self._budget = budget
        self.size = 0

    def take(self, amount: int) -> None:
        """Hold ``amount`` more bytes, or raise AnswerBudgetSpent (holding nothing more)."""
        budget = self._budget
        if budget.held + amount > budget.limit:
            raise AnswerBudgetSpent(
                "the gateway's memory budget for upstream answers "
                f"({budget.limit / _MiB:g} MiB, gateway.limits.upstream_bytes) is spent by "
                "answers read at the same time: this answer was not read whole"
            )
        budget.held += amount
        self.size += amount

    def give_back(self, amount: int) -> None:
        """Hold ``amount`` bytes less (a copy that is gone)."""
        amount = min(amount, self.size)
        self._budget.held -= amount
        self.size -= amount

    def release(self) -> None:
        """Give every byte back; safe to call more than once."""
        self.give_back(self.size)

    def __enter__(self) -> Lease:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
