"""The trust tests drive pages too: the AppTest fixture of tests/pages."""

from tests.pages.conftest import make_app  # noqa: F401 (a fixture, used by name)
