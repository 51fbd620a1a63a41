"""Settings for a consultant's or developer's machine (`make run`)."""

from config.env import env_bool
from config.settings.base import *  # noqa: F403

DEBUG = env_bool("DEBUG", default=True)
