"""The report reads the alliances' world: their fixtures, shared."""

from tests.alliances.conftest import _private_media, aw, ctx  # noqa: F401
from tests.alliances.report_world import march  # noqa: F401
