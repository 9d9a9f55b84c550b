"""Streamlit helpers the pages share: URL filters, cached metric calls, charts, downloads and empty states."""
