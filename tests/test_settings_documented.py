"""Every setting has a row in README's configuration table (as datasette checks its docs).

Settings are walked with their nested sections: a section adds `SECTION__` to the name, a
dict of sections (the listeners) adds `<NAME>__`, and each listener DESIGN.md §10 plans is
named too. A setting added without its README row fails here.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from podstore.settings import Settings, planned_listeners

README = (Path(__file__).parent.parent / "README.md").read_text()


def _section(annotation: object) -> type[BaseModel] | None:
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def env_names(model: type[BaseModel], prefix: str = "PODSTORE_") -> list[str]:
    names = []
    for field, info in model.model_fields.items():
        name = prefix + field.upper()
        section = _section(info.annotation)
        args = typing.get_args(info.annotation)
        if section is not None:
            names += env_names(section, name + "__")
        elif typing.get_origin(info.annotation) is dict and _section(args[1]) is not None:
            names += env_names(args[1], name + "__<NAME>__")
        else:
            names.append(name)
    return names


ALL = env_names(Settings) + [
    f"PODSTORE_LISTENERS__{listener.upper()}__ENABLED" for listener in planned_listeners()
]


def test_the_walk_sees_nested_sections() -> None:
    assert {"PODSTORE_PORT", "PODSTORE_STORAGE__KIND", "PODSTORE_FRONTENDS__TUS__ENABLED"} <= set(
        ALL
    )
    assert "PODSTORE_LISTENERS__<NAME>__PORT" in ALL


@pytest.mark.parametrize("name", ALL)
def test_setting_is_in_the_readme(name: str) -> None:
    assert re.search(rf"`{re.escape(name)}`", README), f"add `{name}` to README's Configuration"
