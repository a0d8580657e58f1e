"""Every command has help and is in the README; the README's commands are the ones CI runs."""

import re

import pytest

from tests.conftest import REPO
from tilbook.cli import build_parser

README = (REPO / "README.md").read_text(encoding="utf-8")


def commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_has_help_and_docs(name):
    sub = commands()[name]
    assert sub.description, f"`tilbook {name}` has no description"
    for action in sub._actions:
        if action.dest != "help":
            assert action.help, f"`tilbook {name}` option {action.option_strings or action.dest} has no help"
    assert re.search(rf"`tilbook {name}\b", README), f"README does not document `tilbook {name}`"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    block = re.search(r"```bash\n(.*?)```", README, re.DOTALL)
    assert block and README.index(block.group(0)) < 40
    install_and_check, install_and_test = block.group(1).strip().splitlines()
    assert install_and_check.endswith("tilbook build")
    assert "pytest" in install_and_test
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines()
