"""Notifications: in the portal, and by e-mail when an SMTP server is configured."""
