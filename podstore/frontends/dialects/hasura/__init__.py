"""The Hasura file service ("filestore", Hasura platform 2017-2018) on its own listener.

Hasura served files from their own host (`filestore.<domain>`); FairOS owns
`/v1/file/<action>` on the main listener, so this runs on listener `hasura` (off unless
`PODSTORE_LISTENERS__HASURA__ENABLED`, port 9091). Settings: `frontends.hasura`.

Routes (seed 003, `manual/filestore/*.rst`, `hasura/js-sdk` src/File.js):

- `POST /v1/file/{file_id}`: upload the raw body, MIME type from `Content-Type` (kept as
  sent, or guessed when absent); 400 if the id exists.
- `POST /v1/file`: the same with an id the server makes (a UUID).
- `PUT /v1/file/{file_id}`: upsert: create, or replace the content (a new version).
- `GET|HEAD /v1/file/{file_id}`: the content streamed with its `Content-Type` (ranges,
  ETag and conditional requests as every podstore download).
- `DELETE /v1/file/{file_id}`: the metadata object with `"status": "deleted"`.

Each answers the metadata object `{file_id, content_type, file_status: "uploaded",
file_size, user_id, user_role, created_at}` (`created_at` ISO 8601 with microseconds and
`+00:00`); errors are `{"error"}`, and `{"path": "$", "error"}` with 400; every JSON answer
has `Content-Type: application/json` (the js-sdk throws without one).

Identity: `Authorization: Bearer <podstore token>` or the `dinoisses` cookie holding one;
none is the role `anonymous` (user id 0). `X-Hasura-Role` picks among the user's roles
(`user`; `admin` too for the users `frontends.hasura.admins` names, whose default it is, and
for podstore administrators when they ask for it with `X-Hasura-Role: admin`).
`X-Hasura-User-Id`, `X-Hasura-Role`, `X-Hasura-Allowed-Roles` count only from an address in
`frontends.hasura.trusted_gateways`; from anywhere else they are ignored. Permissions
(`frontends.hasura.permissions`) are Hasura's hooks: `admin-only` (default), `private`,
`public-read-user-write`, `public-read`, or `webhook` (`GET hook_url?file_id=&file_op=` with
the identity headers; 200 allows, 403 refuses with its message, anything else or a timeout
answers 500). The `admin` role may do everything in every mode.
`frontends.hasura.cors_origins` lets the web apps it names call it from the browser, with
credentials (Hasura's gateway did this for its apps).

Deliberate deviations, and why:

- Users are podstore accounts; `user_id` is the number the service gives an account on its
  first request (from 1), as Hasura's ids were integers.
- Files land in the uploader's pod `frontends.hasura.pod` (default `filestore`, made on
  first upload) at `/<file_id>`, so the native API shows them and they count against the
  uploader's quota; ids stay global. The service holds a key (`key_file`) that opens those
  pods, and only those, for the readers its permissions allow.
- `private` means a user's own files (as issue 15 asks; Hasura's built-in hook let any
  user read any file); others' files are 404 there, as podstore hides what one cannot reach.
- Replacing (PUT over a file) needs both create and delete permission (the old content is
  gone for the client), keeps the first uploader's `user_id`, role and `created_at`, and
  keeps the old content among the file's versions in the native API.
- DELETE answers the metadata plus `"status": "deleted"` (api.rst shows the metadata,
  delete.rst `{file_id, status}`: both are satisfied) and moves the file to its pod's
  trash, where its uploader can restore it through the native API; the id is free again.
- Anonymous clients never upload, whatever a webhook says: a file needs an owner.
- A taken id is 400 (Hasura's table has no 409); ids are 1-128 of `A-Za-z0-9._-`.
- Errors Hasura's table lacks keep podstore's statuses: 413, 416, 503 (with
  `Retry-After`), 507 (quota), in the `{"error"}` envelope.
"""
