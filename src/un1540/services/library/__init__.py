"""The library (docs/library.md): reading document files into text with a page map, splitting
laws into provisions, the full-text search and "laws like this"."""
