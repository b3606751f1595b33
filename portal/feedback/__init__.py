"""Requests and complaints: the closed loop, deadlines, the staff's work, Open311."""
