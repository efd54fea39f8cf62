"""What organisations do in States besides the projects brokered here, and the duplication
warnings across projects and activities (docs/activities.md)."""
