"""The federation file: typed model, loader and validation."""
