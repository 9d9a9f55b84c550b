"""Loaders: read a source (an API, a git clone, an exported file) and write a snapshot."""
