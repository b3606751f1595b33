"""The feedback module (planned; see the open issues)."""
