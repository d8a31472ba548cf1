"""Streamlit glue shared by app.py and the pages: database handle, current user, period, pickers."""
