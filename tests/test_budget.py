import pytest

from actorcritic import budget


def test_full_by_default(monkeypatch):
    monkeypatch.delenv(budget.ENV_VAR, raising=False)
    assert budget.budget() == "full"
    assert budget.pick(full=100, quick=1) == 100


def test_quick_when_asked(monkeypatch):
    monkeypatch.setenv(budget.ENV_VAR, " Quick ")
    assert budget.is_quick()
    assert budget.pick(full=100, quick=1) == 1


def test_unknown_budget_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(budget.ENV_VAR, "medium")
    with pytest.raises(ValueError, match="must be one of"):
        budget.budget()
