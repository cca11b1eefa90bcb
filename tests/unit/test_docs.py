"""The docs stay true to the repository: every setting in the settings table, a short README,
relative links that lead somewhere, `make` commands that exist, and no pointer to a design file
outside the repository."""

import os
import re
from pathlib import Path

import pytest

from photoshare_shared.settings import Settings

ROOT = Path(__file__).parents[2]
SETTINGS_PAGE = ROOT / "docs" / "operations.md"
README_MAX_LINES = 200
# Every page a reader reaches from the README.
PAGES = sorted(
    [ROOT / "README.md", ROOT / "deploy" / "README.md", ROOT / "bench" / "README.md", *ROOT.glob("docs/*.md")]
)
# Generated or installed trees, not the project's own files.
NOT_OURS = {".git", ".venv", ".tools", ".dev", ".pytest_cache", ".ruff_cache", "__pycache__", "test-artifacts"}

_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_MAKE_COMMAND = re.compile(r"(?:^|\s)make ([a-z][\w-]*)", re.M)


def env_names(field_name: str) -> set[str]:
    """The environment variables a setting is read from."""
    alias = Settings.model_fields[field_name].validation_alias
    if alias is None:
        return {f"PHOTOSHARE_{field_name.upper()}"}
    return {alias} if isinstance(alias, str) else set(alias.choices)


def settings_table_names() -> list[set[str]]:
    """The names in the first column of each row of the "Settings" table, row by row."""
    section = SETTINGS_PAGE.read_text().split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [set(re.findall(r"`([A-Z0-9_]+)`", row.split("|")[1])) for row in rows]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = _FENCE.sub("", page.read_text())
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        base = slug(heading)
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def relative_links(page: Path) -> list[str]:
    text = _FENCE.sub("", page.read_text())
    return [target for target in _LINK.findall(text) if not re.match(r"[a-z]+:", target)]


def test_every_setting_has_a_row_in_the_settings_table():
    rows = settings_table_names()
    missing = [name for name in Settings.model_fields if not any(env_names(name) <= row for row in rows)]
    assert missing == [], f"add a row for each to the Settings table of {SETTINGS_PAGE.relative_to(ROOT)}"


def test_every_row_of_the_settings_table_is_a_setting():
    known = set().union(*(env_names(name) for name in Settings.model_fields))
    unknown = sorted(set().union(*settings_table_names()) - known)
    assert unknown == [], "rows for settings that no longer exist"


def test_readme_is_a_short_page():
    lines = len((ROOT / "README.md").read_text().splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail to docs/"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_relative_links_lead_to_files_and_headings_that_exist(page: Path):
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(target)
    assert broken == []


def test_the_pages_link_every_doc_from_the_readme():
    readme = ROOT / "README.md"
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in relative_links(readme)}
    unlinked = [str(page.relative_to(ROOT)) for page in PAGES if page != readme and page.resolve() not in linked]
    assert unlinked == []


def test_make_commands_in_the_docs_are_makefile_targets():
    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))
    unknown = set()
    for page in PAGES:
        text = page.read_text()
        code = "\n".join(_FENCE.findall(text) + _CODE_SPAN.findall(_FENCE.sub("", text)))
        unknown |= {f"{page.relative_to(ROOT)}: make {name}" for name in _MAKE_COMMAND.findall(code)} - {
            f"{page.relative_to(ROOT)}: make {name}" for name in targets
        }
    assert sorted(unknown) == []


def test_no_file_points_at_a_design_file_outside_the_repository():
    old_name = ("DESIGN" + ".md").encode()  # spelled apart, so that this file does not match itself
    mentions = []
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [name for name in subdirectories if name not in NOT_OURS]
        for name in files:
            path = Path(directory, name)
            if old_name in path.read_bytes():
                mentions.append(str(path.relative_to(ROOT)))
    assert mentions == [], "point at docs/architecture.md instead"
