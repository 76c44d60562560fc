"""caap-gateway: one GraphQL endpoint over the City as a Platform municipalities."""
