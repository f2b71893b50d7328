"""Streamlit-side helpers for app.py and pages/ (session state, error rendering, charts).

Why a separate package: `ecomintel` never imports streamlit; everything that does lives here or in pages/.
"""
