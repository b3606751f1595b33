"""The staff queue: one inbox fed by every module's queue items."""
