"""Grand Shooting (API v3.3.1): pictures, references, looks, benches and guidelines."""
