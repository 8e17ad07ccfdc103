"""Prompt Stress Workbench: fire a prompt many times, measure how the answers vary."""

__version__ = "0.1.0"
