"""adapters.budget: the bytes of every answer read at once (issue 13, finding L11)."""

from __future__ import annotations

import pytest

from adapters.budget import AnswerBudget, AnswerBudgetSpent


def test_l11_leases_share_one_budget_and_give_it_back() -> None:
    """Finding L11: the per-answer cap alone let caps add up across calls and cities."""
    budget = AnswerBudget(100)
    with budget.lease() as first, budget.lease() as second:
        first.take(60)
        second.take(40)
        assert budget.held == 100
        with pytest.raises(AnswerBudgetSpent, match=r"gateway\.limits\.upstream_bytes"):
            second.take(1)
        assert second.size == 40
    assert budget.held == 0


def test_l11_a_copy_given_back_is_counted_no_more() -> None:
    budget = AnswerBudget(100)
    lease = budget.lease()
    lease.take(30)
    lease.take(30)
    lease.give_back(30)
    assert (budget.held, lease.size) == (30, 30)
    lease.release()
    lease.release()
    assert budget.held == 0
