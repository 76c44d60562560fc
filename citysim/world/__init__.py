"""The simulated world: each city's entities, derived from Smart Data Models examples."""
