"""Search by name and a folder or selection downloaded as one streamed zip."""

from __future__ import annotations

import io
import os
import zipfile

from tests.fixtures.server import Server, User


def test_search_by_name(user: User) -> None:
    for path in ["Budget.xlsx", "notes/budget-2025.txt", "notes/todo.txt"]:
        assert user.put(f"/pods/home/files/{path}", content=b"x").status_code == 201
    found = user.get("/pods/home/search", params={"q": "BUDGET"})
    assert found.status_code == 200
    paths = [e["path"] for e in found.json()["entries"]]
    assert paths == ["/Budget.xlsx", "/notes/budget-2025.txt"]
    assert user.get("/pods/home/search", params={"q": ""}).status_code == 422
    assert user.get("/pods/nope/search", params={"q": "x"}).status_code == 404


def test_a_folder_and_a_file_as_one_zip(user: User, server: Server) -> None:
    big = os.urandom(3 * 1024 * 1024)
    files = {"photos/a.jpg": big, "photos/trip/b.txt": b"hello", "readme.md": b"# hi"}
    for path, data in files.items():
        assert user.put(f"/pods/home/files/{path}", content=data).status_code == 201
    answer = user.get("/pods/home/zip", params={"path": ["photos", "readme.md"], "name": "x.zip"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert "x.zip" in answer.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert archive.testzip() is None
    assert {n: archive.read(n) for n in archive.namelist() if not n.endswith("/")} == files
    assert "photos/trip/" in archive.namelist()
    missing = user.get("/pods/home/zip", params={"path": ["nothing-here"]})
    assert missing.status_code == 404
    with server.client() as anon:
        assert anon.get("/pods/home/zip", params={"path": ["photos"]}).status_code == 401
