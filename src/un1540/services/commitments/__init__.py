"""Commitments announced by States and organisations, tracked to delivery, and the outcome
documents of events (docs/commitments.md)."""
