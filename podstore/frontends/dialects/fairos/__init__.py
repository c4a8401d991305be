"""FairOS-dfs, every generation at once, on the main listener (issue 14); the same app alone
on the `fairos` listener, written with Go's header case for fairos-py-sdk (DESIGN.md §10).

Routes (v0 takes form fields everywhere, GET and DELETE too; v1 JSON bodies or query
strings; v2 camelCase):
  users  POST /v0|v1|v2/user/signup, /login; GET /v0|v1|v2/user/present;
         DELETE /v0|v1|v2/user/delete; POST /v0|v1/user/import, /logout, /export;
         GET /v0|v1/user/isloggedin, /stat; POST|GET /v0/user/avatar, /name, /contact;
         GET /v0/user/share/inbox, /share/outbox
  pods   POST /v0|v1/pod/new, /open, /close, /sync; DELETE /v0|v1/pod/delete;
         GET /v0|v1/pod/ls, /stat; POST /v1/pod/sync-async, /fork; GET /v1/pod/present
  dirs   POST /v0|v1/dir/mkdir; DELETE /v0|v1/dir/rmdir; GET /v0|v1/dir/ls, /stat;
         GET /v1/dir/present; POST /v1/dir/rename, /chmod
  files  POST /v0|v1/file/upload; GET|POST /v0|v1/file/download; GET /v0|v1/file/stat;
         DELETE /v0|v1/file/delete; GET /v1/file/status; POST /v1/file/update, /rename,
         /chmod;
         POST /v1/file/share, GET /v1/file/receiveinfo, /receive;
         POST /v0/file/share, /share/receiveinfo, /share/receive
  kv     /v1/kv/: POST new, open, count, entry/put, loadcsv, seek, export; GET ls, entry/get,
         entry/get-data, entry/present, present (v0.8's), seek/next; DELETE delete, entry/del;
         /v0/kv/ (form, `file` names the table): new, open, count, ls (POST), delete,
         entry/put|get|del, loadcsv, seek, seek/getnext
  docs   /v1/doc/: POST new, open, count, entry/put, loadjson, indexjson; GET ls, find,
         entry/get; DELETE delete, entry/del; /v0/doc/ the same (`name` names the database;
         ls and find are POST)
  groups /v1/group/: POST new, open, close, invite, accept, remove, update-permission;
         DELETE delete, delete-shared; GET ls, members, permission; `groupName` in place of
         `podName` on every dir and file route reaches the group's drive
  public POST /v1/pod/share, /fork-from-reference; GET /v1/pod/receiveinfo, /receive;
         GET /public-file, /public-dir, /public-kv, /public-pod-snapshot,
         /public/{ref}/{path} (and /public/{ref}, redirected)
  ws     /ws/v1/: `{_id, event, params}` for every route above, run in-process;
         /file/upload, /file/upload/stream, /file/download, /file/download/stream with
         the content in binary messages (ws_streams)

Generations. The path says v0 or v2; on /v1 the field names say: any snake_case key
(`pod_name`, even beside fairos-py-sdk's `indexType`) is v0.5-v0.8, camelCase keys only are
v0.9+. Where the request does not say (no fields), the answer is v0.8's, and where v0.8 and
v0.9+ name a key differently the answer carries both spellings (`pod_name` and `pods`).
Messages carry `code` except for camelCase/v2 requests (v0.9+ dropped it). Where the
generations disagree (dialect-clients.md), v0.8 wins: "user logged out successfully",
201 on kv/new and doc/new, kv/count `{count, table_name}`, user/stat `{user_name, address}`,
pod/open of an unknown pod 404 "pod does not exist", `mutable` a bool or "true"/"false".

State. Open pods, open tables and databases, the v0 "current" pod and each KV iterator are
the login session's (core session state), so any node serves the next request.

Deliberate deviations:
- `/v1/user/signup|login|present|delete|export` are served, not answered "deprecated" (both
  snake_case clients call them).
- `accessToken` is an HS256 JWT `{sessionId, exp, iss}` whose session id is podstore's
  session token, signed with a key derived from it (FairOS: a per-process random secret),
  so it survives restarts and works on every node. The cookie holds the same token, and a
  FairOS session is a native one (its token works as the native API's Bearer token).
- `publicKey` is not sent (FairOS's is the secp256k1 key; podstore keeps no such key).
- `user/import` needs the mnemonic: podstore cannot import an account by address alone.
- `user/export` answers the user's name and address, not FairOS's wallet dump.
- An invalid or ended session answers 401 `cookie: user not logged-in`.
- Passwords need 12 characters on every generation (podstore's rule; FairOS v0.9+ has it).
- `blockSize` is checked (1-8 MB, go-humanize units; v0's bare number is Mb) and then not
  used: podstore cuts content by content. `blockSize` answers 1000000, `compression` "";
  `fairOS-dfs-Compression` is accepted and ignored (the pod's own compression applies).
  Multipart fields must come before the file parts (or in the query).
- Deletes (rmdir, file/delete) go to the pod's trash, as everywhere in podstore.
- kv/loadcsv loads the last line too, with or without its newline (FairOS drops it).
- A file sharing reference is podstore's share reference: a snapshot redeemable only by the
  user it names (`destUser`: an address or a user name); receiving copies no data.
- A group is a podstore group with one pod of its name; an invite adds the member at once
  (its reference is the group's id, `accept` checks membership); permission 1 is viewer,
  2 editor, the owner 3; `GroupItem` has only `name` (no keys or password to hand out).
  The group routes' success texts are not in the sources we read: ours are "group created
  successfully" and the like.
- Public pods: pod/share makes a public read-only link on the pod's root; its reference is
  the link's token (not a 128-hex Swarm reference). /public-pod-snapshot lists at most
  10,000 entries. pod/share's `sharedPodName` is not kept: pod/receive names the pod by its
  own `sharedPodName`, else as the owner does.
- pod/receive makes the user a viewer member of the pod (a live read-only view, listed in
  `sharedPods`), which outlives the link; receiveinfo's `password` is "" (no pod password
  is handed out) and `podAddress` is the pod's id. A write to a pod the user only views is
  400 `operation not permitted: read only pod`, as on a received FairOS pod.
- pod/fork-from-reference copies what the link reads (the whole pod) into a new pod.
- chmod keeps the permission bits (0-4095, base 10 as FairOS parses them; a larger number,
  which FairOS would let clobber the type bits, is refused) on the node in the core; they
  are shown (with S_IFDIR/S_IFREG) until changed, FairOS's 0700/0600 before, and decide
  nothing: podstore's roles do. dir/chmod answers "directory renamed successfully", as
  FairOS's handler does.
- /public-kv reads a table through a pod's sharing reference: the core lets a link on a
  pod's root read the pod's tables and document databases (no other link does).
- The v0 profile lives in the core's profile: the avatar as a data: URI (so at most 48 KiB;
  GET answers 404 `no avatar` where FairOS answers 500), the name's parts (whose join is the
  display name every front end shows), phone, mobile and the address (its four lines). GET
  name of a user named elsewhere answers the display name as `first_name`. An undecodable
  avatar is 400, not FairOS's 500.
- share/inbox and share/outbox list the core's offers (share references named to the user,
  shared copies) as `{"entries": [{id, name, kind, size, source_user, source_address,
  shared_time}]}`: FairOS v0.1's entry shape is not in the sources we read.
- A document database made with `mutable: false` refuses entry/put (400 `doc put: trying
  to modify immutable document db`; FairOS: 500) and takes documents from loadjson and
  indexjson, as FairOS's does; entry/del works on it, as on FairOS.
- WebSocket file events: /file/download sends the file as one binary message, as FairOS
  does, up to 64 MiB (a larger file answers 413, pointing at /file/download/stream);
  /file/download/stream (commented out in FairOS HEAD) is served as FairOS wrote it:
  1,000,000-byte binary messages, then "download finished". /kv/loadcsv/stream and
  /doc/loadjson/stream are not served (FairOS HEAD has them commented out too).
"""
