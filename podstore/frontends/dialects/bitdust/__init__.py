"""The BitDust dialect: BitDust's engine API (bitdust 0.1.24.265, `bitdust-io/devel`) served
by podstore on two loopback listeners: REST on 127.0.0.1:8180 (`rest.py`) and the WebSocket
`api_call` protocol on 127.0.0.1:8280 (`ws.py`); both refuse peers that are not loopback.

Routes (`routes.py` holds the table): every REST route of BitDust in its three spellings,
short (`/f/u/o`), legacy (`/v1/file/upload/start`) and canonical (`/file/upload/start/v1`), for
the groups process, device, network, config, identity, key, file, share, group, friend, user,
message, supplier, customer, space, service, packet, transfer, connection, stream, queue,
event, dht, blockchain and state. GET reads the query string, POST/PUT/DELETE a JSON body
(DELETE too). Each route calls the API method of the same name as BitDust's; the WebSocket
calls any of them by name, plus `chunk_read`, `chunk_write` and the model-listener methods.

Envelope (`envelope.py`): HTTP 200 always, `application/json`, CORS `*`; `OK`, `RESULT`
and `ERROR` as BitDust builds them, sorted keys, two-space indent, `execution` as a string;
BitDust's texts for missing inputs, invalid JSON, unknown routes and methods. Values may be
strings; booleans are `1`, `true`, `yes`, `ok`…

The model (one core, one permission check): the engine acts for one podstore user, the one
`identity_create` made or `identity_recover` restored (`engine.py`). A key is a real RSA key
pair of the core's keyring (1024/2048/4096 bits, the private half wrapped for the user's
identity key) that opens one pod: `master` (made on first use) is the user's own catalog,
`key_create` makes another, `share_create` makes `share_<hex>` (a new pod, or with
`remote_path` a folder of one of my keys). `share_grant`/`key_share` give the grantee the key
and make them an editor of its pod, or grant them its folder at the `delete` level, so the key
id `alias$creator@host` names it for both; files are still authorized on the pod or grant.
Remote paths are `alias$user@host:path` (a bare path is in my master). Groups are podstore
groups named `group_<hex>`; messages are podstore messages; friends are contacts; suppliers
are the stores of the erasure-coded set; `dht_value_*` a key-value table of my master pod.

Deviations, each deliberate:
- A podstore session token is accepted as the API secret too, and acts for its own user:
  several users of one server can use BitDust clients (the engine's own secret, in
  `<data>/bitdust/apisecret`, acts for the engine's identity).
- The identity is a podstore account: `publickey` is its master key's (RSA, OpenSSH form),
  `identity_key` its X25519 key; there is no identity XML, signature or ID server
  (`identity_rotate` answers ERROR saying so; `identity_cache_list` lists my friends, the
  identities this server would have cached). `identity_backup` writes a JSON file with the
  user name and recovery phrase, `identity_recover` reads it back (a new password is set);
  `identity_erase` forgets the engine's identity, the account stays.
- A granted key gives editor access to its pod (or the delete level on its folder): there is
  no read-only key, as in BitDust; only its creator shares it further; erasing a granted key
  leaves the pod (ends the grant); erasing a folder share's key ends every grant it gave.
  `key_audit` answers ERROR. `share_open`/`close` set the key's `active` flag.
- `share_create` takes `remote_path` (podstore's addition): the share opens that folder of a
  pod I manage instead of a location of its own.
- `file_create` of a file registers it in the database (the core's catalog reservations,
  each user's own) until the first upload fills it: a restart or another node of a cluster
  keeps it. A folder is made at once. `path_id` is the podstore node id; version labels are
  BitDust's `F%Y%m%d%I%M%S%p` in UTC; a version keeps its number too.
- Local paths (uploads, downloads, identity backups) are read and written only under the
  `local_roots` setting and the caller's own temp folder; anything else, and any `..`, is
  "local file or folder … not exist". Downloads default to the temp folder.
- `files_sync` has nothing to do; `file_explore` answers ERROR (no desktop on a server).
- `config_get`/`configs_list`/`configs_tree` show the BitDust options podstore's settings
  answer; `config_set` answers ERROR (settings are the server's). Services are listeners.
- `process_stop`/`restart`/`debug` and `supplier_change` (also `replace`, `switch`, as
  BitDust routes them) answer ERROR unless `allow_operator_actions`: other clients use this
  server. A supplier change moves one store onto a spare (`spareN`) and rebuilds its
  fragments; stop and restart still point at the service manager.
- `customer_*`, `dht_node_find`, `dht_user_random`, `blockchain_*`, `billing_*`, `device_*`,
  `network_create|select|disconnect|reconnect|stun`, `automat_info|events_*`,
  `share_history`/`identity_heal` answer ERROR with the reason; packet/transfer/connection/
  stream/queue/state lists are empty (there is no P2P traffic).
- `message_receive` and `event_listen` long-poll podstore's event stream (at most 120 s);
  a consumer id starts at the moment of its first call.
- Pushed WebSocket frames (`ws.py`, `models.py`): `event` for each podstore event of the
  caller, `stream_message` for each received message, `online_status` (`CONNECTED`) when a
  friend is added: every user of this server is reachable, there is no presence to follow.
  `model` frames for the models a connection switched on (`enable_model_listener`,
  `request_model_data`: key, shared_location, private_file, shared_file, remote_version,
  correspondent, online_status, conversation, message, service), built from the API
  methods and followed live from podstore's events; a file's snapshot id is its remote path
  (BitDust uses its global id). As in BitDust, model listeners have no REST route.
- Frames pushed over the WebSocket are UTF-8 JSON without `\\u` escapes; an unparsable frame
  gets an `errors` answer (BitDust ignores it silently).
- `/p/h` is registered for both health and info in BitDust: here it answers health.
"""
