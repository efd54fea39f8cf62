"""The inbox: what awaits a signed-in account, by its role (docs/inbox.md)."""
