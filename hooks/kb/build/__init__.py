"""One build, from the engine's events to the core: ``BuildSession``."""
