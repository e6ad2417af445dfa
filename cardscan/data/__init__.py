"""Lexicons for the parser (plain text files, one entry per line)."""
