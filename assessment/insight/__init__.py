"""Findings a reader can act on, computed from plain data: recommendations per city, the regional synthesis.

Pure Python: no Django. Each module takes plain rows (dataclasses, mappings) that
an adapter in `assessment/selectors/` reads from the database, so every rule here is
tested without one.
"""
