"""The build engine's events (MkDocs, ProperDocs) -> the core: ``BuildSession``."""
