"""The package version, in a module of its own: the lowest floors (results, provenance) can
read it without importing the package's ``__init__``, which loads the model API."""
__version__ = "0.1.0"
