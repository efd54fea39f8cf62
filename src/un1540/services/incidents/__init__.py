"""The incident register: CBRN incidents, who may see each one, their trends (docs/incidents.md)."""
