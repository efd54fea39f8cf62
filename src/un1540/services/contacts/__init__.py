"""Points of contact: designation, freshness (stale contacts and reminders), training history."""
