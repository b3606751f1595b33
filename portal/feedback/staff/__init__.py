"""The staff's side of the tracker: their pages, reply templates and queue items."""
