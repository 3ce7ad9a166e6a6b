"""singer-sdk's command-line words in the shared parser: `--config ENV` and `--test[=schema]`."""

from __future__ import annotations

import pytest

from singer_lite_core.cli_args import connector_argument_parser


def test_config_env_names_no_file_and_keeps_the_order_of_the_files() -> None:
    parser = connector_argument_parser("tap-x", "", "tap")
    args = parser.parse_args(["--config", "a.json", "--config", "ENV", "--config", "b.json"])
    assert args.config == ["a.json", "b.json"]
    assert parser.parse_args(["--config", "ENV"]).config == []
    assert connector_argument_parser("target-x", "", "target").parse_args(["--config", "ENV"]).config == []


@pytest.mark.parametrize(("given", "mode"), [([], None), (["--test"], "all"), (["--test=schema"], "schema")])
def test_test_takes_singer_sdks_values(given: list[str], mode: str | None) -> None:
    assert connector_argument_parser("tap-x", "", "tap").parse_args(["--config", "c.json", *given]).test == mode


def test_test_refuses_other_values(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        connector_argument_parser("tap-x", "", "tap").parse_args(["--test=everything"])
    assert "invalid choice: 'everything'" in capsys.readouterr().err
