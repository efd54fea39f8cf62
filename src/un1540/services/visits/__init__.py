"""Country visits: made only at a State's invitation (FACTS 5.3); docs/visits.md."""
