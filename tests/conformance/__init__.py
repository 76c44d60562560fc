"""The conformance kit run against every built-in adapter and the example third-party one."""
