"""`python -m podstore` is the `podstore` command."""

from podstore.cli.main import app

if __name__ == "__main__":  # not when a spawned worker process imports this module
    app()
