"""`python -m podstore` is the `podstore` command."""

from podstore.cli.main import app

app()
