"""Placeholder until the read API lands; keeps /api/v1/ answering 404."""

urlpatterns: list = []
