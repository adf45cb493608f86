"""Storage: the only package that opens DuckDB and writes to it."""
