"""Kitsu (Zou, CGWire's open-source production tracker): projects, shots, assets and tasks."""
