"""Pages that gather every domain's records about one party: the State profile, the
organisation page (docs/visits.md, "The State profile")."""
