"""Simulated municipal platforms speaking the real protocols over real HTTP."""
