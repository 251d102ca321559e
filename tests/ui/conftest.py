"""The cached accessors are tested through the pages that use them (AppTest), as tests/pages does."""

from tests.pages.conftest import make_app  # noqa: F401  (the fixture)
