"""The APIs of the five seed systems, one package each."""
