"""Residents' and the public's pages of the tracker: submission, list, request pages, metrics."""
