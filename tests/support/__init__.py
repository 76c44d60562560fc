"""Test support: real servers on loopback ephemeral ports, started and stopped by fixtures."""
