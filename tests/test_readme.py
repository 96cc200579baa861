"""The README works when pasted: the two set-up commands stay as they are, and every
`qwen-agent …` line in its shell blocks is a command line the CLI accepts (its flags exist)."""

from __future__ import annotations

import re
import shlex

import pytest

from agent.commands import build_parser
from tests.helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
SETUP = "python3 -m venv .venv && .venv/bin/pip install -q torch==2.13.0 -e '.[model]' && .venv/bin/qwen-agent demo"


def _command_lines() -> list[str]:
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        for line in block.replace("\\\n", " ").splitlines():  # continued lines joined
            words = shlex.split(line, comments=True)
            if words and words[0].endswith("qwen-agent") and "…" not in line and " / " not in line:
                lines.append(" ".join(shlex.quote(w) for w in words))
    return lines


def test_the_two_commands_at_the_top_are_unchanged() -> None:
    top = README.split("## Setting up")[0]
    assert SETUP in top and "bash tests/run_all.sh" in top
    assert "source .venv/bin/activate" in README


@pytest.mark.parametrize("line", _command_lines())
def test_every_command_in_the_readme_parses(line: str) -> None:
    words = shlex.split(line)
    for i, word in enumerate(words):  # a shell redirection or pipe ends the command's own words
        if word in (">", ">>", "|", "&", "2>", "&&"):
            words = words[:i]
            break
    try:
        build_parser().parse_args(words[1:])
    except SystemExit as err:  # --help exits 0: accepted
        if err.code != 0:
            pytest.fail(f"`{line}` is not accepted by the CLI (exit {err.code})")


def test_every_extra_in_pyproject_is_listed_with_what_it_brings() -> None:
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for name in set(extras) - {"dev", "constrain"}:  # constrain: inside [model]
        assert re.search(rf"^\| `\[{name}\]` \| `pip install [^`]*'\.\[{name}\]'` \| \S", README, re.M), name


def test_the_speed_table_is_bench_output_with_its_machine() -> None:
    from agent.bench_report import BEGIN, END, ROWS

    table = README.split(BEGIN, 1)[1].split(END, 1)[0]
    assert table.strip().startswith("Measured by `qwen-agent bench") and " cores" in table
    for _key, label in ROWS:
        assert f"| {label} |" in table, label
