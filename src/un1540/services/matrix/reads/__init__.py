"""Reads of the matrix domain, one module per record."""
