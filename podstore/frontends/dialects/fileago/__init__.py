"""FileAgo v1.0 API (seed 001; `research/seed-apis.md` §5) on the main listener.

Routes (a trailing slash is accepted on each, as FileAgo's Android client sends one):

    POST   /auth                        {"username": e-mail or user name, "password"} as JSON,
                                        also form-labelled as curl's -d sends it; answers
                                        uuid, token (JWT, 24 h), status, msg, is_admin,
                                        fullname, fileaccesskey, avatar
    GET    /api/nodes/<ref>             details (times in ms, owner User or Group)
    GET    /api/nodes/<ref>/dirlist     entries: is_starred, public_shares, private_shares,
                                        comment_count, revision, size, updated, type
    GET    /api/nodes/<ref>/path        [{name, uuid}] from the top-level folder
    GET    /api/nodes/<ref>/myaccess    ["read", "download", "write", "upload", "delete",
                                        "share"] as far as the user's access goes
    POST   /api/nodes/<ref>             exactly one of new_dir, new_name, starred, copy_to,
                                        move_to, share_copy_with → 204
    DELETE /api/nodes/<ref>             to the trash → 204
    GET    /api/nodes/<ref>/upload      an upload token, single use, valid 5 s (setting)
    POST   /upload/<token>              multipart `file`, streamed: a new file in a folder, a
                                        new revision of a file
    GET    /resources/auth/download/<fileaccesskey>/<uuid>/<revision>/<filename>
                                        999999999999999 = the latest revision; ranges work
    GET    /api/groups                  [{group_name, group_uuid}]

`<ref>` is a node UUID (a podstore node id) or a pseudo-folder `home`, `incoming`, `trash`,
`favorites`, `shared_with_you`, `private_shares`, `public_shares`, each also as
`<name>:<owner uuid>` for a group the user belongs to (`%3A` works). Answers are
`{"status": "success", "msg", "data"?}`; errors `{"status": "error", "msg"}` with the status
of the error's kind (400, 401 for a missing, forged or expired token, 403, 404, 409, 413,
503).

How FileAgo's model maps onto podstore's: a user's Home is their pod named `home`
(`frontends.fileago.home_pod`, made on first use); a group's Home is the group's pod named
`home`, else its first pod; Incoming is the user's pod `incoming`, into which the copies
others shared (`share_copy_with`, podstore's shared copies: no data copied) are received
when Incoming is listed. The token is a JWT (HS256, claims exp, username, uuid, and `sid`,
the podstore session it stands for, which signs it); the fileaccesskey is a podstore
download key of the same lifetime that reads the user's files and does nothing else.

Deliberate deviations:
- Only the routes above: no comments (comment_count is 0), no WebSocket, WebDrive, upload
  links, file requests, restore from trash, share creation or admin console routes.
- `copy_to`/`move_to` work inside one drive (pod); between drives the answer is 400, as
  podstore moves no node across pods (share a copy instead).
- A copy shared with a group goes to each other member's Incoming (`incoming:<group>` lists
  nothing); a copy whose name is taken in Incoming waits until the name is free.
- `revision` appears on the entries of folder listings; favourites, trash and share lists
  carry the other fields only. A folder's `size` is the number of items in it.
- The fileaccesskey is issued per login and ends with its session's lifetime or the
  account's next password change, rather than being one key per user for ever.
- An administrator (`is_admin`: the first account, or `podstore admin NAME`) has no Home
  unless they made a pod named `home` themselves; `admin` logs in by its user name.
- Status codes beyond 200/204/401 follow podstore's table, as the seed documents none.
"""
