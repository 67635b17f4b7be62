"""Hostile inputs for tests/test_hostile.py: the catalogue of files and their expected outcomes."""
