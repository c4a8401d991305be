"""The `podstore` command line."""
