"""Date and number formats for the languages Django has none (or no digit grouping) for (FORMAT_MODULE_PATH).

Django looks here first and falls back to its own module of the language for anything not set here.
"""
