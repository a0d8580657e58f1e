"""Every command has help and is in the README; the README's commands are the ones CI runs."""

import re

import pytest

from tests.conftest import REPO
from tilbook.cli import build_parser

README = (REPO / "README.md").read_text(encoding="utf-8")


def all_commands():
    """(`name sub`, parser) for every command, nested ones (`notebook new`) included."""
    found = []

    def walk(prefix, parser):
        for action in parser._actions:
            if hasattr(action, "choices") and isinstance(action.choices, dict):
                for name, sub in action.choices.items():
                    found.append((f"{prefix} {name}".strip(), sub))
                    walk(f"{prefix} {name}", sub)

    walk("", build_parser())
    return found


@pytest.mark.parametrize("name,sub", all_commands(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_command_has_help_and_docs(name, sub):
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
