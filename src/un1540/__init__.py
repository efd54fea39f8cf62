"""un1540: information system for the UN Security Council resolution 1540 prevention regime."""

__version__ = "0.1.0"
