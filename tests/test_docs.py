"""Documentation that must not drift: each bundled file and setting is written down.

Each measure against README and data/SOURCES.md: tests/needs/test_sources.py."""

import re

import pytest

from vru_core.needs.cli import build_parser
from vru_core.platform.config import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()
SOURCES = (REPO_ROOT / "data" / "SOURCES.md").read_text()


@pytest.mark.parametrize("path", sorted(p.name for p in (REPO_ROOT / "data").iterdir() if p.name != "SOURCES.md"))
def test_every_bundled_file_is_in_sources(path):
    assert f"`{path}`" in SOURCES, f"data/{path} is not described in data/SOURCES.md"


def test_every_setting_is_in_readme():
    settings = set(re.findall(r'"(VRU_[A-Z_]+)"', (REPO_ROOT / "vru_core" / "platform" / "config.py").read_text()))
    assert settings, "config.py reads no settings?"
    missing = sorted(s for s in settings if f"`{s}`" not in README)
    assert not missing, f"README does not document: {missing}"


def test_scoring_cli_options_are_in_readme():
    options = {a.option_strings[0] for a in build_parser()._actions if a.option_strings and a.dest != "help"}
    missing = sorted(o for o in options if o not in README)
    assert not missing, f"README does not show these scoring CLI options: {missing}"


def test_readme_starts_with_the_two_commands():
    setup = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = [line.strip() for line in setup.splitlines() if line.startswith("    ")]
    assert commands == ["./run", "./run test"]
    assert (REPO_ROOT / ".ci" / "run").read_text().strip().endswith("exec ./run test")
