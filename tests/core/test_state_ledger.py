"""The STATE ledger: a STATE is released only once every record before it is committed."""

from __future__ import annotations

from singer_lite_core.target_driver.state_ledger import StateLedger


def test_ledger_releases_only_the_newest_state_whose_records_are_committed() -> None:
    out: list[object] = []
    ledger = StateLedger(out.append)
    ledger.received("a", 2)
    ledger.state(1)
    ledger.received("b", 1)
    ledger.state(2)
    ledger.committed("b", 1)
    assert out == []
    ledger.committed("a", 2)
    assert out == [2]
    ledger.state(2)
    assert out == [2]
    ledger.state(3)
    assert out == [2, 3]
