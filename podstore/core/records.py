"""What the core returns: plain records, no wire format.

Times are timezone-aware datetimes (UTC) or epoch seconds as named; sizes are ints; ids are
strings. Each front end shapes these into its own JSON, XML or headers.
"""

from __future__ import annotations

# ---- tree: nodes, files, versions, trash, favourites, pods, uploads ---------------------


# ---- sharing, accounts and social: grants, links, groups, offers, users, messages, events


# ---- kv tables and document collections -------------------------------------------------
