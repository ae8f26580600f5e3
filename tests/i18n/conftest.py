"""The demo reviews, loaded once for the package (the page walk shows their real content)."""

from __future__ import annotations

from tests.demo.conftest import demo_reviews  # noqa: F401  (a package-scoped fixture)
