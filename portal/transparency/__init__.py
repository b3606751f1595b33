"""The transparency module (planned; see the open issues)."""
