from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploads (the histories waiting to be applied, the imports' files) go to the test's own
    folder, not the work tree's uploads/."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
