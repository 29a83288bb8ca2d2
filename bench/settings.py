"""Settings for the benchmarks: the portal's own, plus a hello-world URL to compare with."""

from portal.settings import *  # noqa: F403
from portal.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = BASE_DIR / "bench" / "output" / "static"
