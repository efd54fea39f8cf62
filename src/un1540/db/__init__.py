"""Engine and session factory; Alembic migrations live in migrations/."""
