"""What the clearinghouse shows: each read filters by who is asking (docs/assistance.md)."""
