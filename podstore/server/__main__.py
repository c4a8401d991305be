"""`python -m podstore.server`: the server alone, as `podstore serve` runs it."""

from podstore.server.run import run

if __name__ == "__main__":  # not when a spawned worker process imports this module
    run()
