"""Evidence suggestions: the model behind the doors, the experts' decisions and retraining."""
