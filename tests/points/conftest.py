"""Points are earned by the volunteers' people, teams and activities: their fixtures, shared."""

from tests.volunteers.conftest import crew  # noqa: F401
