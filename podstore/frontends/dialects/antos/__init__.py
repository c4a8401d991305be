"""The AntOS VFS dialect: the AntOS web desktop (antos-rde/antos-frontend) on podstore.

Follows antos-backend HEAD (REST API 2.1.0: `router.lua`, `controllers/*Controller.lua`,
`libs/vfs.lua`), the generation the current front-end calls; the older `antd-web-apps`
backend (`desktop:/` at `~/.desktop`, `/VDB`) is not served. Every answer is HTTP 200 with
`{"result": …, "error": false}` or `{"error": "<message>"}`, in AntOS's words
(`errors.py`). Paths may start with any number of slashes (the desktop sends `//VFS/…`).

    POST /user/login      {username, password} with a podstore account; Set-Cookie
                          `sessionid=<token>; Path=/`; the home pod and `.antos/{settings,
                          desktop,packages}` are made on first sign-in
    POST /user/auth       the user's saved settings merged with `user: {username, id, name,
                          groups}` (id: the podstore user id; groups: {group id: name})
    POST /user/logout     ends the session; `sessionid=0`
    POST /VFS/fileinfo    {path}: a stat object with `path` and `name`
    POST /VFS/exists      {path}: true or false
    POST /VFS/scandir     {path}: stat objects with `filename` and `path`
    GET  /VFS/get/<path>  the file (encoded or raw path; Range; type by name; `?_=`,
                          `?stamp=` ignored)
    POST /VFS/mkdir       {path}; true also when the folder exists
    POST /VFS/move        {src, dest} within one pod or share
    POST /VFS/delete      {path}: to the pod's trash (a folder with all below it)
    POST /VFS/write       {path, data}: a base64 data URL, or "" for an empty file
    POST /VFS/upload      multipart: `path` (a folder), then files `upload-0` … `upload-N`,
                          each streamed into the pod; the number of files
    POST /VFS/publish     {path, publish: true}: the published file's id (a public link's
                          token); {path: <id>, publish: false} withdraws it
    GET  /VFS/shared/all  every published file (anonymous, as in AntOS)
    GET  /VFS/shared/<id> a published file (anonymous)
    POST /system/settings the whole settings object, kept in
                          `home://.antos/settings/settings.json`
    POST /system/packages {command: list|cache|init|install|uninstall, args}
    GET  /system/version  {"REST": {"version": "2.1.0", "ref": "podstore <version>"}}
    /VFS, /user, /system and unknown actions: the controller's index, as AntOS answers

Schemes (`paths.py`): `home://` (the pod `frontends.antos.home_pod`), `desktop://`
(`home://.antos/desktop`), `shared://<id>` (read-only), `os://` (the read-only build in
`frontends.antos.os_dir`, also served as the desktop at `desktop_prefix` or at `/` of a
listener of app `antos`).

Deliberate deviations:
- `pod://<pod>/…` (a pod's name or id, or `share:<id>`) reaches every pod and share the
  user has; AntOS knows only its home. The desktop's Files app does not list it.
- Sessions are podstore's (`<id>.<secret>` tokens with their lifetime); the cookie is also
  HttpOnly and SameSite=Lax (the desktop never reads it), Secure behind an https public URL.
- A published file is a podstore public link; its id is the link's token (AntOS: a sha1 of
  the path), so it is as secret as the link until published, then listed to anyone.
  Only those who manage the pod publish (AntOS: the file's owner).
- Permissions are not POSIX modes: `stat.py` derives the bits from roles and grants; uid
  is the pod owner's user id and gid the pod id (strings, not numbers).
- `delete` moves to the trash (restorable through the other front ends), not unlink.
- `write` and `upload` make missing parent folders; `write` takes up to
  `max_request_bytes` of file (as base64 in JSON); `move` refuses to replace an existing
  target and to cross pods.
- `packages cache` caches nothing (listings are read live); `install` unpacks at most
  10,000 entries and 1 GiB by the zip's own account.
- `/system/application` and `/system/apigateway` (server-side Lua in AntOS) answer an
  error; the apigateway's WebSocket is closed.
- Requests the HTTP layer refuses (413, 408, 431) and "down for now" (503) keep their HTTP
  status with the AntOS error body.
"""
