"""The site's settings (from the environment, as always) with bench/urls.py's extra hello view;
for bench/web.py only, never a live site."""

from clinic.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
