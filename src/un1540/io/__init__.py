"""Importers, exporters and the demo generator; they write only through services."""
