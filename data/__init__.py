"""Reference and demo data sets (generated, deterministic)."""
