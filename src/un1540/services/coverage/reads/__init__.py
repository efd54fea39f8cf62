"""Reads of the coverage domain: coverage on a date, review statistics, priorities, overview."""
