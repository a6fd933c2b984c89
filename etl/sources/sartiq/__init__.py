"""Sartiq (backend API 0.1.0): products, shootings, looks, shots, revisions, guidelines."""
