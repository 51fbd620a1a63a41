"""The read API under /api/v1/ (django-ninja)."""
