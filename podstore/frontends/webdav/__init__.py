"""WebDAV (RFC 4918 class 1 and 2) at /dav/ on the main listener.

    /dav/                     the pods and received grants the user can reach (PROPFIND, GET);
                              MKCOL /dav/{name}/ makes a pod
    /dav/{pod}/{path}         a pod's tree
    /dav/share:{id}/{path}    a received grant's subtree, as the native API names it

Methods: OPTIONS (no sign-in needed), PROPFIND (Depth 0 and 1), PROPPATCH (dead properties,
kept in the metadata database), MKCOL, GET and HEAD (Range, ETag = version id, conditional
requests), PUT (streamed into the storage engine; If-Match / If-None-Match; a new version
each time), DELETE (to the trash), COPY and MOVE (Depth, Overwrite, Destination; chunks are
shared, never copied), LOCK and UNLOCK (exclusive and shared write locks, depth 0 and
infinity, Timeout, refresh; a LOCK on an unmapped URL makes an empty file), and the If
header on every method that writes. Authentication: HTTP Basic with the account password
or an app password (`/api/v1/me/app-passwords`), throttled like `/login`.

Client quirks: `MS-Author-Via: DAV` in OPTIONS (Windows' Mini-Redirector, Office); Win32*
properties that Windows sets are kept as dead properties, and Win32LastModifiedTime sets the
file's modification time; PROPFIND answers hold only the properties asked for (allprop: the
live ones that say something and the dead ones), streamed; macOS Finder gets class 2 (it
mounts read-only without LOCK) and its `._*` AppleDouble files are kept like any file;
ownCloud's `X-OC-Mtime` on PUT sets the file's modification time and is answered `accepted`,
and an `OC-Checksum` is verified while the body streams (a mismatch refuses the upload before
it commits) and served back, with SHA1 and MD5, as `oc:checksums` until the file changes
(rclone's `--webdav-vendor owncloud` compares them).

Deliberate deviations: Depth infinity PROPFIND is refused (403 with DAV:propfind-finite-depth,
which RFC 4918 allows), and a PROPFIND without a Depth header is answered at depth 1 rather
than as infinity (as sabre/dav does; webdav4 sends none); COPY and MOVE stay inside one pod or
grant (403 otherwise; 502 for a Destination on another server); a pod root cannot be deleted,
copied or moved over WebDAV (403); WebDAV asks its clients for the lock tokens before each
write, and the core refuses every front end's writes (423 over HTTP) under a lock of another
user, while the lock holder's other clients may write; a MOVE drops the locks on what it
moved, as RFC 4918 §7.5 says a lock does not move with its resource.
"""
