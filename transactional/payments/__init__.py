"""Payments: authorize and capture through a gateway behind a port."""
