"""Versioned reference data (YAML/CSV beside this file) and typed, cached loaders.

Every file documents its own fields in its header; tests/reference validates each one.
"""
