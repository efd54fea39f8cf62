"""Pydantic wire shapes shared by the API, the portal and the exports: XRead, XSummary, XPage."""
