"""The core's name mapping under each target's declared rules, in process.

The expected names are the ones each target has always produced: a change
here would orphan existing tables and columns.
"""

from __future__ import annotations

import pytest

from singer_lite_core.errors import LoadError
from singer_lite_core.target_driver.capabilities import IdentifierRules, LoaderCapabilities
from singer_lite_core.target_driver.identifiers import Identifiers
from target_bigquery_lite.loader import IDENTIFIERS as BIGQUERY
from target_postgres_lite.loader import IDENTIFIERS as POSTGRES

LONG_A = "a" * 70 + "_first"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("clientName", "clientName"),
        ("select", "select"),
        ('we"ird col;--', 'we"ird col;--'),
        ("ünïcødé", "ünïcødé"),
        ("agent:os:version", "agent:os:version"),
        ("", ""),
        ("x" * 63, "x" * 63),
        (LONG_A, "a" * 54 + "_1c373447"),
        ("a\x00b", "ab_59b271ae"),
        ("é" * 40, "é" * 27 + "_84fe2e03"),  # cut at 54 bytes, never inside a character
        ("Order" + "x" * 80, "Order" + "x" * 49 + "_d02e6554"),
    ],
)
def test_postgres_names_are_exact_within_63_bytes(name: str, expected: str) -> None:
    assert POSTGRES.table(name) == expected
    assert POSTGRES.columns([name]) == {name: expected}
    assert len(expected.encode()) <= 63


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("clientName", "clientName"),
        ("_sdc_sequence", "_sdc_sequence"),
        ("my-stream", "my_stream_efdcb60a"),
        ("2024 trips", "_2024_trips_5483639e"),
        ("Café", "Caf__73473dcc"),
        ("public.orders", "public_orders_b2852c9f"),
        ("_TABLE_x", "x__TABLE_x_2b57b1e7"),
        ("_partitiontime", "x__partitiontime_33726fa7"),
        ("", "__e3b0c442"),
    ],
)
def test_bigquery_names_keep_plain_names_and_mark_the_others(name: str, expected: str) -> None:
    assert BIGQUERY.table(name) == expected
    assert BIGQUERY.columns([name]) == {name: expected}


def test_bigquery_tables_may_be_longer_than_columns() -> None:
    assert BIGQUERY.table("y" * 1024) == "y" * 1024
    assert BIGQUERY.table("y" * 2000) == "y" * 1015 + "_08717268"
    assert BIGQUERY.columns(["x" * 400]) == {"x" * 400: "x" * 291 + "_7b0bd700"}


def test_long_names_sharing_a_start_stay_distinct() -> None:
    long_b = "a" * 70 + "_second"
    columns = POSTGRES.columns([LONG_A, long_b])
    assert len(set(columns.values())) == 2
    assert all(len(c.encode()) <= 63 for c in columns.values())


def test_case_only_differences_are_columns_of_their_own_where_case_counts() -> None:
    assert POSTGRES.columns(["MixedCase", "mixedcase"]) == {"MixedCase": "MixedCase", "mixedcase": "mixedcase"}


def test_case_only_differences_are_refused_where_case_is_ignored() -> None:
    with pytest.raises(LoadError) as raised:
        BIGQUERY.columns(["Id", "id"])
    assert str(raised.value) == "properties 'Id' and 'id' both map to column 'id' (BigQuery column names ignore case)"


def test_a_property_named_like_another_ones_mapped_name_is_refused() -> None:
    with pytest.raises(LoadError) as raised:
        POSTGRES.columns(["a\x00b", "ab_59b271ae"])
    assert str(raised.value) == "properties 'a\\x00b' and 'ab_59b271ae' both map to column 'ab_59b271ae'"


def test_mapping_is_the_same_on_every_run() -> None:
    names = ["my-stream", LONG_A, "Café"]
    assert [BIGQUERY.table(n) for n in names] == [BIGQUERY.table(n) for n in names]
    assert POSTGRES.columns(names) == POSTGRES.columns(list(names))


def test_rules_come_only_from_the_declared_capabilities() -> None:
    """A database of 14-character lowercase names, not starting with a digit,
    with a reserved `sys` prefix."""
    rules = IdentifierRules(
        disallowed_characters="^a-z0-9", replacement="_", leading_digit_allowed=False, reserved_prefixes=("SYS",)
    )
    capabilities = LoaderCapabilities(
        decimal=None,
        max_identifier_length=14,
        identifier_length_unit="chars",
        case_insensitive_identifiers=False,
        preferred_batch_format="csv",
        identifier_rules=rules,
    )
    names = Identifiers(capabilities, "Tiny")
    assert [names.table(n) for n in ("abc", "Abc", "system", "abcdefghijklmnop", "9")] == [
        "abc",
        "_bc_06d90109",
        "x_sys_bbc5e661",
        "abcde_f39dac6c",
        "_9_19581e27",
    ]
