"""The deliberation module (planned; see the open issues)."""
