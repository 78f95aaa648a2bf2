from pathlib import Path

import pytest
from django.conf import settings

from appui.territory.importers import import_communes

#: sample files of every directory import format
DATA = Path(__file__).parent.parent / "data" / "directory"
DEMO_COMMUNES = Path(settings.BASE_DIR) / "appui" / "territory" / "data"


@pytest.fixture
def demo_communes(db):
    """The communes of the demo territory, as the import files name them."""
    report = import_communes(
        (DEMO_COMMUNES / "demo_cog_communes.csv").read_bytes(),
        (DEMO_COMMUNES / "demo_communes_geo.csv").read_bytes(),
    )
    assert report.ok
