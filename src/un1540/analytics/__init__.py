"""Pure functions over plain data (no session, no I/O): coverage, tallies, trends."""
