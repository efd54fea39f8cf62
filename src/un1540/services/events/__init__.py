"""Events of the regime and the statements made at them (docs/events.md)."""
