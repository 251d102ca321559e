"""Screens show words, never the store's codes: every record type and action written anywhere has a label."""

import re

import pytest

from vru_core.platform import labels
from vru_core.platform.config import REPO_ROOT

SOURCE = "\n".join(p.read_text() for p in (REPO_ROOT / "vru_core").rglob("*.py"))
WRITTEN_ENTITIES = set(re.findall(r'entity_type="([a-z_]+)"', SOURCE)) | set(
    re.findall(r'^ENTITY = "([a-z_]+)"', SOURCE, re.M)
)
WRITTEN_ACTIONS = set(re.findall(r'record\([^)]*?action="([a-z_]+)"', SOURCE, re.S)) | set(
    re.findall(r'_change\([^)]*"([a-z_]+)", apply\)', SOURCE)
)


def test_the_source_was_read():
    assert {"award", "user", "sign_in"} <= WRITTEN_ENTITIES and {"create", "sign_in_failed"} <= WRITTEN_ACTIONS


@pytest.mark.parametrize("code", sorted(WRITTEN_ENTITIES))
def test_every_record_type_has_a_label(code):
    assert code in labels.ENTITIES


@pytest.mark.parametrize("code", sorted(WRITTEN_ACTIONS))
def test_every_action_has_a_label(code):
    assert code in labels.ACTIONS


@pytest.mark.parametrize(
    ("before", "after", "shown"),
    [
        (
            {"amount_awarded": 40000, "version": 1},
            {"amount_awarded": 45000, "version": 2},
            "Amount awarded: 40000 -> 45000",
        ),
        (None, {"people_reached": 12, "under_25_reached": 5}, "People reached: 12; Of whom under 25: 5"),
        ({"title": "Old"}, None, "Title was Old"),
        ({"some_new_field": 1}, {"some_new_field": 2}, "Some new field: 1 -> 2"),
        ({"role": "viewer"}, {"role": "admin"}, "Role: Viewer (read only) -> Administrator"),
    ],
)
def test_changes_read_as_words(before, after, shown):
    assert labels.changes(before, after) == shown


def test_every_role_and_measure_choice_has_a_label():
    from vru_core.needs.measures import DIRECTIONS, FAMILIES, GEOGRAPHIES
    from vru_core.platform.auth import Role

    assert set(labels.ROLE_LABELS) == {r.value for r in Role}
    assert labels.role(Role.ADMIN) == labels.role("admin") == "Administrator"
    assert labels.role("commissioner") == "Commissioning officer"
    assert set(labels.MEASURE_FAMILIES) == set(FAMILIES) and labels.family("perceptions") == "Public perceptions"
    assert set(labels.GEOGRAPHIES) == set(GEOGRAPHIES) and set(labels.DIRECTIONS) == set(DIRECTIONS)
    shown = [*labels.ROLE_LABELS.values(), *labels.MEASURE_FAMILIES.values(), *labels.DIRECTIONS.values()]
    assert not [s for s in shown if "_" in s or s == s.lower()]
