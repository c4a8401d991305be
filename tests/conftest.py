"""Fixtures shared by the whole suite live in tests/fixtures/, one module per real component."""

pytest_plugins = [
    "tests.fixtures.ports",
    "tests.fixtures.seaweed",
    "tests.fixtures.postgres",
    "tests.fixtures.server",
]
