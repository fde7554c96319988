"""TODO package docstring: tests."""
