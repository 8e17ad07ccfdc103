"""The built-in simulated LLM endpoint. Qt-free; runs in its own process on loopback."""
