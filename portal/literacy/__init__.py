"""The literacy module (planned; see the open issues)."""
