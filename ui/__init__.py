"""Shared Streamlit pieces: session/identity, cached data access, German formatting."""
