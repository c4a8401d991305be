"""The web UI: a file manager in the browser at `/` on the main listener (issue 19).

Server-rendered pages (Jinja2, `templates/`) with htmx and small hand-written modules;
third-party browser files are vendored under `podstore/web/static/` (see VENDORED.md there).
Pages call the core like every front end; the page's scripts call the native API for what
it already does (tus uploads at /api/v1/pods/{pod}/tus/, file downloads, app passwords).

Routes (GET pages, POST forms):
    /                          to /pods or /login
    /login /signup /logout     session (cookie `podstore_token`, HttpOnly, SameSite=Lax)
    /account                   password (POST /account/password), app passwords, sessions
                               (POST /account/sessions/end)
    /pods                      pods with usage; POST /pods/new, /pods/{pod}/rename|delete
    /files/{pod}/{path}        a folder (sort, paging by cursor, filter) or a file (preview,
                               versions, share, links)
    /search/{pod}?q=           names containing q in the pod
    /trash/{pod}               trash: POST /act/{pod}/restore, /act/{pod}/purge
    /recent /starred /links    files changed last, favourites; one's links and shares
                               (POST /links/revoke, /grants/revoke)
    /act/{pod}/{mkdir|rename|selection|restore-version|share|link|upload}   forms
    /data/{pod}[/kv/{table}|/docs/{coll}]   key-value tables and document collections:
                               entries from a key, a find; POST /act/{pod}/kv-*|doc*-…
    /inbox, /messages[/{user}] shared copies to save or decline (POST /inbox/accept|decline,
                               /act/{pod}/send-copy); direct messages (POST /messages/send)
    /node/{id}                 a node by id, wherever the viewer reaches it
    /s/{token}[/{path}]        a public link's page; POST …/password, POST …/upload
    /static/…                  stylesheet, scripts, vendored files

Security: every POST refuses a cross-site Origin/Sec-Fetch-Site and, with a session, needs
the CSRF token (`frontends/http/csrf.py`, also required by the native API for cookie-only
writes); pages carry a CSP with no inline script or style; user content is served only with
`Content-Security-Policy: sandbox` and `nosniff` (HTML and SVG are never previewed).

Previews: image thumbnails from the native API (`/api/v1/pods/{pod}/thumbnail/…`, made by the
core, WebP) in listings and on a photo's page; text and code as text; audio and video from
the download path with ranges; a PDF in a frame of its download (sandboxed by that
response's own CSP; only a PDF's page allows `frame-src 'self'`).

Deviations: the app is the main app's fallback (Starlette router `default`), not a mount,
so it never shadows another front end whatever the order they are added in.
"""

from podstore.frontends.web.app import create_web_app, install

__all__ = ["create_web_app", "install"]
