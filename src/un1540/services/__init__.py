"""Every write and every non-trivial read. Keyword-only arguments; the session is passed in."""
