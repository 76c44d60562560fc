"""Peer rows: caap-gateway and Hive Gateway (GraphQL Mesh) on the same platforms, one run.

``python -m bench.peers`` (``make bench-peers``); see bench/peers/README.md.
"""
