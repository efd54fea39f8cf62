"""The server-rendered portal: one module per page family, all reading through services."""
