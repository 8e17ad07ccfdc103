"""View > Present: the current run full screen, for a room."""
