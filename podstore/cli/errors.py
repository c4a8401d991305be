"""One way for every CLI command to report failures: a clear line and an exit status."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import httpx
import typer
from rich.console import Console
from rich.markup import escape

from podstore.cli.client import ApiError

err = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn API and connection errors into one clear line and exit status 1 (2 for usage)."""

    @wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ApiError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from None
        except httpx.TransportError as exc:
            err.print(f"[red]error:[/red] cannot reach the server: {exc}")
            raise typer.Exit(1) from None
        except (ValueError, FileNotFoundError) as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(2) from None

    return run  # type: ignore[return-value]
