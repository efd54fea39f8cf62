"""The web application: JSON API under /api/v1 and the server-rendered portal, from one app."""
