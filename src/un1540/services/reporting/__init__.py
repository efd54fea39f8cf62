"""National reports and reporting status (docs/reporting.md)."""
