"""Read side: metric definitions as SQL over the store, returning DataFrames. No Streamlit."""
