"""Writes of the matrix domain, one module per record; each write is one @action."""
