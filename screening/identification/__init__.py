"""Identification: searches, the import of their export files (importers/ are pure parsers) and record exports."""
