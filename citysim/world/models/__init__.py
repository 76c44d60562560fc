"""One module per entity type: how its values are made."""
