"""What the core returns: plain records, no wire format.

Times are timezone-aware datetimes (UTC) or epoch seconds as named; sizes are ints; ids are
strings. Each front end shapes these into its own JSON, XML or headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from podstore.core.context import iso
from podstore.core.errors import PreconditionFailed
from podstore.storage.engine import PodKeys
from podstore.storage.manifest import Manifest

# ---- tree: nodes, files, versions, trash, favourites, pods, uploads ---------------------


@dataclass(slots=True)
class NodeInfo:
    """A file or folder. `path` and `pod` (the viewer's name for the pod) are filled where
    the operation resolves them; `trashed_at` is set while the node is in the trash.

    Read-only by convention, not frozen: a listing builds 10,000 of them, and a frozen
    dataclass's `__init__` costs five times a plain one's (1.4 against 0.27 µs)."""

    id: str
    name: str
    kind: str  # "file" or "dir"
    size: int  # 0 for a folder
    modified_at: float  # epoch seconds
    created_at: float  # epoch seconds
    content_type: str | None
    version_id: str | None
    parent_id: str | None
    starred: bool = False
    trashed_at: float | None = None  # epoch seconds
    path: str | None = None
    pod: str | None = None
    mode: int | None = None  # permission bits a chmod set (0 to 0o7777); None: never set


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a folder; `next_cursor` continues it, None on the last page."""

    entries: list[NodeInfo]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class RenderedListing:
    """One page of a folder as a JSON array of its entries (UTF-8), in the keys the caller
    named; `next_cursor` as `Listing`'s."""

    entries: bytes
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """A node met walking a selection: `node.path` from the scope's root, `relative` its
    name in an archive of the selection."""

    node: NodeInfo
    relative: str


@dataclass(frozen=True, slots=True)
class VersionInfo:
    id: str
    number: int
    size: int
    content_type: str | None
    created_at: float  # epoch seconds
    created_by: str | None  # the author's user name
    current: bool


@dataclass(frozen=True, slots=True)
class FileWritten:
    """A file after a new current version: uploaded, committed or restored."""

    node: NodeInfo
    version: int  # the version's number
    new_file: bool
    stored_bytes: int  # bytes this write added to the store (after dedup and compression)


@dataclass(frozen=True, slots=True)
class ChunkParams:
    """How a client cuts a file into chunks for a resumable upload (FastCDC, BLAKE3)."""

    algorithm: str
    hash: str
    min_size: int
    avg_size: int
    max_size: int
    fastcdc_avg_size: int  # the average as the fastcdc library counts it (above min_size)
    max_request_bytes: int
    inline_threshold: int
    declare_in_parts: bool


@dataclass(frozen=True, slots=True)
class UploadInfo:
    """A resumable upload with a declared chunk list; `result` once committed."""

    id: str
    path: str
    size: int
    state: str  # "open" or "committed"
    chunks: int
    complete: bool  # the chunk list is complete
    missing: list[int]  # indexes of the chunks the server still lacks
    missing_bytes: int
    received_bytes: int
    expires_at: float  # epoch seconds
    chunk_params: ChunkParams
    result: FileWritten | None


@dataclass(frozen=True, slots=True)
class OpenUpload:
    """An unfinished upload of either protocol (declared chunks or appends)."""

    id: str
    protocol: str
    path: str
    size: int
    received_bytes: int
    expires_at: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class ChunksDeclared:
    id: str
    declared: int  # chunks declared so far
    declared_bytes: int
    complete: bool
    missing: list[int]  # among the chunks just declared, those the server lacks


@dataclass(frozen=True, slots=True)
class ChunksStored:
    index: int  # of the first chunk
    chunks: int
    size: int
    new: int  # chunks the store did not hold yet


@dataclass(frozen=True, slots=True)
class PodInfo:
    id: str
    name: str  # the viewer's name for the pod
    owner_id: str | None
    role: str
    root_id: str
    compression: str
    versions_kept: int
    quota_bytes: int
    used_bytes: int
    files: int
    folders: int
    read_only: bool


@dataclass(frozen=True, slots=True)
class ExportedNode:
    node: NodeInfo  # with its path and trashed_at
    versions: list[VersionInfo]  # oldest first


@dataclass(frozen=True, slots=True)
class PodExport:
    pod: PodInfo
    tree: list[ExportedNode]


@dataclass(frozen=True, slots=True)
class AccountExport:
    user: UserInfo
    pods: list[PodExport]


@dataclass(frozen=True)
class Preconditions:
    """Conditions on a file's current version, named by version ids ("*": any version)."""

    if_match: frozenset[str] | None = None  # the current version must be one of these
    if_none_match: frozenset[str] | None = None  # ... must be none of these

    def check(self, version: str | None) -> None:
        match, none_match = self.if_match, self.if_none_match
        if match is not None and (version is None or not {"*", version} & match):
            raise PreconditionFailed("the file has changed since the version the request names")
        if none_match is not None and version is not None and {"*", version} & none_match:
            raise PreconditionFailed("the file exists already")


@dataclass(frozen=True)
class Download:
    """An open file version: what to stream, and what to say about it."""

    node: NodeInfo
    manifest: Manifest
    keys: PodKeys
    etag: str
    content_type: str
    size: int
    modified: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class FileLayout:
    """The chunk sizes of a file's current version, in order (none for an inline file)."""

    version_id: str
    size: int
    chunks: list[int]


@dataclass(frozen=True)
class DeclaredChunk:
    """One chunk of a resumable upload's declared list."""

    size: int
    hash: bytes  # plain BLAKE3 of the chunk


# checksum algorithms an append stream verifies its pieces with
APPEND_CHECKSUMS = ("sha1", "md5", "sha256", "sha512")


@dataclass(frozen=True)
class AppendState:
    """An upload fed by appends at an offset (what tus and similar protocols drive)."""

    id: str
    offset: int
    length: int
    metadata: str | None
    expires_at: float  # epoch seconds
    done: bool
    result: FileWritten | None = None


# ---- kv tables and document collections -------------------------------------------------


@dataclass(frozen=True, slots=True)
class KvTableInfo:
    name: str
    index_type: str  # "string" or "number"
    count: int
    columns: list[str] | None  # the header row of the last CSV import
    created_at: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class KvEntry:
    key: str
    value: bytes


@dataclass(frozen=True, slots=True)
class KvPage:
    entries: list[KvEntry]
    next: str | None  # a cursor to continue, None at the end


@dataclass(frozen=True, slots=True)
class LineError:
    line: int  # 1-based line of the imported file
    error: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    total: int
    loaded: int
    failed: int
    errors: list[LineError]  # the first ones, in line order


@dataclass(frozen=True, slots=True)
class CollectionInfo:
    name: str
    indexes: list[dict[str, str]]  # [{"field", "type"}]
    count: int
    created_at: float  # epoch seconds
    immutable: bool = False  # documents are loaded in bulk only, never put one by one


@dataclass(frozen=True, slots=True)
class DocStored:
    id: str
    created: bool  # False when it replaced a document of the same id


@dataclass(frozen=True, slots=True)
class DocPage:
    docs: list[dict[str, Any]]  # the documents as stored
    next: str | None


# ---- sharing ----


@dataclass(frozen=True, slots=True)
class ScopedNode:
    """A node as one actor reaches it: through which pod or share, and with what rights."""

    node: NodeInfo
    pod_id: str
    scope: str  # the actor's name for the pod, or share:/link: scope
    access: str  # the actor's role there
    no_download: bool
    owner: Owner | None = None
    starred: bool = False  # by the actor


@dataclass(frozen=True, slots=True)
class Owner:
    """Who owns a pod: a user (`name` is their display name, else their user name) or a
    group."""

    kind: str  # "user" or "group"
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What a file manager shows beside an entry (`Tree.facts`)."""

    revision: int | None  # the current version's number; None for a folder
    children: int  # live items in a folder
    grants: int  # grants on it (counted for the pod's members only)
    links: int  # public links on it (the same)


@dataclass(frozen=True, slots=True)
class GrantInfo:
    """A share of a node with a user or a group; `name`, `kind` are None once it is gone."""

    id: str
    node_id: str
    scope: str  # "share:<id>", how the recipient names it
    owner: str | None  # the sharer's user name
    level: str
    no_download: bool
    expires_at: float | None  # epoch seconds
    created_at: float  # epoch seconds
    name: str | None
    kind: str | None
    size: int
    user: str | None  # the recipient: a user's name or a group's
    group: str | None


@dataclass(frozen=True, slots=True)
class PodMember:
    """A user or a group with a role in a pod."""

    user: str | None
    group: str | None
    role: str


@dataclass(frozen=True, slots=True)
class PodRef:
    """A pod just made (a fork, a group's pod), by id and the actor's name for it."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class GroupInfo:
    id: str
    name: str
    role: str  # the viewer's role in the group
    members: int
    created_at: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class GroupMember:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class GroupDetail:
    group: GroupInfo
    members: list[GroupMember]  # by name
    pods: list[PodRef]  # the pods the group owns


@dataclass(frozen=True, slots=True)
class LinkInfo:
    id: str
    node_id: str
    expires_at: float | None  # epoch seconds
    max_downloads: int | None
    downloads: int
    upload_only: bool
    password: bool  # whether it needs one
    created_at: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class LinkedPod:
    """The pod a link to a pod's root shares (FairOS's pod sharing reference)."""

    pod_id: str
    name: str  # the owner's name for the pod
    owner: str  # the owner's user name


@dataclass(frozen=True, slots=True)
class NewLink:
    """A link just made: the only time its URL (which holds the secret) is known."""

    link: LinkInfo
    name: str
    kind: str  # the linked node's
    url: str
    token: str = ""  # the secret part of the URL, for protocols that hand it out alone


@dataclass(frozen=True, slots=True)
class PublishedFile:
    """A file or folder its owner published: anyone holding `token` reads it."""

    token: str  # the public link's token (its id and secret)
    node: NodeInfo


@dataclass(frozen=True, slots=True)
class ScopeInfo:
    """How one actor reaches a pod: as a member (directly or through a group), through a
    grant or through a link, with what level (read, write, delete or manage)."""

    pod_id: str
    name: str  # the actor's name for the pod or scope
    owner_id: str | None
    level: str
    kind: str  # member, group, grant or link
    read_only: bool


@dataclass(frozen=True, slots=True)
class OfferInfo:
    """A share reference ("ref") or a shared copy ("copy"): a snapshot of a file or folder."""

    id: str
    kind: str
    name: str
    node_kind: str  # "file" or "dir"
    size: int
    files: int
    sender: str | None  # the sender's user name
    created_at: float  # epoch seconds
    expires_at: float | None  # epoch seconds


@dataclass(frozen=True, slots=True)
class NewRef:
    """A share reference just made, with its token (which holds the secret)."""

    offer: OfferInfo
    ref: str


# ---- accounts and social ----


@dataclass(frozen=True, slots=True)
class Signup:
    user_id: str
    name: str
    mnemonic: str | None  # returned only when the server generated it
    address: str | None = None  # the Ethereum address the mnemonic derives (EIP-55)


@dataclass(frozen=True, slots=True)
class Login:
    """A new session: `token` is its bearer secret."""

    token: str
    expires_at: float  # epoch seconds
    user_id: str


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: str
    client: str  # the address it logged in from
    created_at: float  # epoch seconds
    expires_at: float  # epoch seconds
    current: bool  # the session asking


@dataclass(frozen=True, slots=True)
class AppPassword:
    """A per-device password, usable only as an HTTP Basic password (WebDAV)."""

    id: str
    label: str
    created_at: float  # epoch seconds
    last_used_at: float | None  # epoch seconds, to the minute


@dataclass(frozen=True, slots=True)
class NewAppPassword:
    """A just-created app password: `password` is shown this once and never stored."""

    id: str
    label: str
    created_at: float
    last_used_at: float | None
    password: str


@dataclass(frozen=True, slots=True)
class UserInfo:
    id: str
    name: str
    profile: dict[str, str]  # those of accounts.PROFILE_FIELDS that are set
    public_key: bytes  # raw X25519
    quota_bytes: int
    created_at: float  # epoch seconds
    last_login_at: float | None  # epoch seconds
    email: str | None = None
    is_admin: bool = False


@dataclass(frozen=True, slots=True)
class Message:
    """A direct message (`to` is set) or a group message (`group_id` is set)."""

    id: int
    sender: str  # the sender's user name
    text: str
    sent_at: float  # epoch seconds
    to: str | None = None  # the recipient's user name
    group_id: str | None = None
    group_name: str | None = None

    def event_data(self) -> dict[str, Any]:
        """What the recipients' `message.received` events carry (stored with the event)."""
        out: dict[str, Any] = {
            "id": self.id,
            "from": self.sender,
            "text": self.text,
            "sent_at": iso(self.sent_at),
        }
        if self.group_id:
            out["group"] = {"id": self.group_id, "name": self.group_name}
        else:
            out["to"] = self.to
        return out


@dataclass(frozen=True, slots=True)
class Conversation:
    with_user: str  # the other user's name
    last: Message


@dataclass(frozen=True, slots=True)
class Contact:
    name: str  # the contact's user name
    alias: str | None
    added_at: float  # epoch seconds

    def event_data(self) -> dict[str, Any]:
        """What the owner's `contact.added` and `contact.changed` events carry."""
        return {"name": self.name, "alias": self.alias, "added_at": iso(self.added_at)}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    action: str
    detail: dict[str, Any]
    address: str | None
    at: float  # epoch seconds


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class OffsetPage(Generic[T]):
    """A page of a list paged by offset and limit (message history, the audit log)."""

    items: list[T]  # newest first
    offset: int
    limit: int
    total: int  # of the whole list


@dataclass(frozen=True, slots=True)
class Event:
    """One event of a user's stream; `data` is stored as JSON with it."""

    seq: int
    kind: str
    data: dict[str, Any]
    at: float  # epoch seconds


# ---- the Hasura-style file service (core/filestore) -------------------------------------


@dataclass(frozen=True, slots=True)
class GatewayClaims:
    """Identity headers as a gateway in front of the file service sends them (as given)."""

    user_id: str
    role: str | None
    allowed_roles: str | None  # comma-separated


@dataclass(frozen=True, slots=True)
class FilestoreIdentity:
    """Who asks the file service, in Hasura's terms: a numbered user (0 = anonymous) acting
    in one of their roles."""

    user_id: str | None  # the podstore account; None for anonymous
    name: str
    number: int
    role: str
    allowed_roles: tuple[str, ...]

    @property
    def anonymous(self) -> bool:
        return self.user_id is None or self.role == "anonymous"


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file of the file service: its id, its current content, and who first uploaded it."""

    file_id: str
    content_type: str
    size: int
    user_number: int
    user_role: str
    created_at: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class SupplierInfo:
    """One store that holds data: a child of the erasure-coded set, or the only store."""

    position: int  # fragment index in the erasure set
    kind: str  # local, s3
    location: str
    role: str  # "data" or "parity"
    state: str  # "online" or "offline"
    k: int  # data fragments of the set (1 for a single store)
    m: int  # parity fragments of the set


@dataclass(frozen=True, slots=True)
class SupplierChange:
    """A child store moved onto a spare, and what rebuilding its fragments found."""

    position: int
    old_location: str
    new_location: str
    checked: int  # blobs looked at
    rebuilt: int  # fragments written to the new store
    lost: int  # blobs that had too few fragments left to rebuild


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """A named RSA key pair of a user (BitDust's keys) and the pod or folder it opens."""

    alias: str
    creator: str  # the creator's user name
    size: int  # bits
    label: str
    active: bool
    public_key: str  # OpenSSH format
    pod_id: str
    created_at: float  # epoch seconds
    mine: bool  # the holder created it
    private_pem: str | None = None  # only when asked for
    folder: bool = False  # it opens one folder of the pod, not the whole pod
    # where the holder reaches what it opens: a pod id or `share:<grant>`, and the path of
    # the opened folder inside that scope; scope "" once the folder is gone
    scope: str = ""
    root: str = ""


# ---- WebDAV: locks and dead properties ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class DavLock:
    """A WebDAV lock; `path` is its root as the viewer's scope names it."""

    token: str
    path: str
    node_id: str
    user_id: str
    exclusive: bool
    infinite: bool
    owner: str  # the client's <owner> XML, as given
    timeout: float  # seconds, as granted
    expires_at: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class DeadProperty:
    namespace: str
    name: str
    value: str  # the element's content as XML text


@dataclass(frozen=True, slots=True)
class DavView:
    """What a PROPFIND shows: the target (first) and, at depth 1, its children; each
    node's dead properties (those asked for) and the locks on it or above it."""

    entries: list[NodeInfo]
    properties: dict[str, list[DeadProperty]]
    locks: dict[str, list[DavLock]]


@dataclass(frozen=True, slots=True)
class DavTarget:
    """Where a WebDAV write lands: the node there now (None when it is new)."""

    node: NodeInfo | None
    etag: str | None  # the current version id of a file
    tokens: frozenset[str]  # tokens of the locks on it or above it, for If: conditions
