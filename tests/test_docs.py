"""The README's promises: the set-up commands come first and the action table is the catalogue's."""

from __future__ import annotations

import re
from pathlib import Path

from miogram_toolkit.protocol.catalogue import ACTIONS, markdown_table

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_shows_the_two_setup_commands_first() -> None:
    first_block = README.split("```", 2)[1]
    assert "make demo" in first_block and "make test" in first_block


def test_readme_action_table_is_the_catalogue() -> None:
    block = re.search(r"<!-- actions:start -->\n(.*?)\n<!-- actions:end -->", README, re.S)
    assert block is not None
    assert block.group(1) == markdown_table()


def test_catalogue_table_has_a_row_per_action() -> None:
    rows = markdown_table().splitlines()[2:]
    assert [row.split("`")[1] for row in rows] == list(ACTIONS)
