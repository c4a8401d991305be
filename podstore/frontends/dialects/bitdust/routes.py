"""Every REST route of BitDust's engine API in its spellings (short alias, legacy `/v1/…`,
canonical `…/v1`): the HTTP method, the paths, the API method it calls and its mandatory
inputs (a tuple: one of them). GET routes read the query string, the others a JSON body.

The paths are BitDust's interface (api_rest_http_server.py of bitdust 0.1.24.265); `/p/h` is
registered for both health and info there, so it answers health, as the first one wins."""

from __future__ import annotations

from typing import NamedTuple


class Route(NamedTuple):
    method: str
    paths: tuple[str, ...]
    api: str
    mandatory: tuple[str | tuple[str, ...], ...] = ()


ROUTES: tuple[Route, ...] = (
    Route("GET", ("/p/st", "/v1/process/stop", "/process/stop/v1"), "process_stop"),
    Route("GET", ("/p/rst", "/v1/process/restart", "/process/restart/v1"), "process_restart"),
    Route("GET", ("/p/h", "/v1/process/health", "/process/health/v1"), "process_health"),
    Route("GET", ("/p/h", "/v1/process/info", "/process/info/v1"), "process_info"),
    Route("GET", ("/p/d", "/v1/process/debug", "/process/debug/v1"), "process_debug"),
    Route("GET", ("/dev/l", "/v1/device/list", "/device/list/v1"), "devices_list"),
    Route("GET", ("/dev/i", "/v1/device/info", "/device/info/v1"), "device_info", ("name",)),
    Route("POST", ("/dev/a", "/v1/device/add", "/device/add/v1"), "device_add", ("name",)),
    Route("POST", ("/dev/o", "/v1/device/start", "/device/start/v1"), "device_start", ("name",)),
    Route(
        "POST",
        ("/dev/a/req", "/v1/device/authorization/request", "/device/authorization/request/v1"),
        "device_authorization_request",
        ("name", "client_public_key", "client_code"),
    ),
    Route(
        "POST",
        ("/dev/a/gen", "/v1/device/authorization/generate", "/device/authorization/generate/v1"),
        "device_authorization_generate",
        ("name",),
    ),
    Route(
        "POST",
        ("/dev/a/r", "/v1/device/authorization/reset", "/device/authorization/reset/v1"),
        "device_authorization_reset",
        ("name",),
    ),
    Route(
        "POST",
        (
            "/dev/a/cc",
            "/v1/device/authorization/client_code",
            "/device/authorization/client_code/v1",
        ),
        "device_authorization_client_code",
        ("name", "client_code"),
    ),
    Route("POST", ("/dev/c", "/v1/device/stop", "/device/stop/v1"), "device_stop", ("name",)),
    Route(
        "DELETE", ("/dev/d", "/v1/device/remove", "/device/remove/v1"), "device_remove", ("name",)
    ),
    Route(
        "GET",
        ("/dev/r/i", "/v1/device/router/info", "/device/router/info/v1"),
        "device_router_info",
    ),
    Route("POST", ("/nw/cr", "/network/create", "/network/create/v1"), "network_create", ("url",)),
    Route(
        "POST", ("/nw/sel", "/network/select", "/network/select/v1"), "network_select", ("name",)
    ),
    Route(
        "GET", ("/nw/con", "/v1/network/connected", "/network/connected/v1"), "network_connected"
    ),
    Route(
        "GET",
        ("/nw/dcon", "/v1/network/disconnect", "/network/disconnect/v1"),
        "network_disconnect",
    ),
    Route(
        "GET", ("/nw/rcon", "/v1/network/reconnect", "/network/reconnect/v1"), "network_reconnect"
    ),
    Route("GET", ("/nw/st", "/v1/network/status", "/network/status/v1"), "network_status"),
    Route(
        "GET",
        (
            "/nw/i",
            "/v1/network/info",
            "/v1/network/details",
            "/network/info/v1",
            "/network/details/v1",
        ),
        "network_status",
    ),
    Route(
        "GET",
        ("/nw/cf", "/v1/network/configuration", "/network/configuration/v1"),
        "network_configuration",
    ),
    Route("GET", ("/nw/stn", "/v1/network/stun", "/network/stun/v1"), "network_stun"),
    Route("GET", ("/c/l", "/v1/config/list", "/config/list/v1"), "configs_list"),
    Route("GET", ("/c/t", "/v1/config/tree", "/config/tree/v1"), "configs_tree"),
    Route(
        "GET",
        (
            "/c/g/{key1}/{key2}/{key3}/",
            "/v1/config/get/{key1}/{key2}/{key3}",
            "/config/get/{key1}/{key2}/{key3}/v1",
        ),
        "config_get",
    ),
    Route(
        "GET",
        ("/c/g/{key1}/{key2}/", "/v1/config/get/{key1}/{key2}", "/config/get/{key1}/{key2}/v1"),
        "config_get",
    ),
    Route("GET", ("/c/g/{key}/", "/v1/config/get/{key}", "/config/get/{key}/v1"), "config_get"),
    Route("GET", ("/c/g", "/v1/config/get", "/config/get/v1"), "config_get", ("key",)),
    Route(
        "POST",
        (
            "/c/s/{key1}/{key2}/{key3}/",
            "/v1/config/set/{key1}/{key2}/{key3}",
            "/config/set/{key1}/{key2}/{key3}/v1",
        ),
        "config_set",
        ("value",),
    ),
    Route(
        "POST",
        ("/c/s/{key1}/{key2}/", "/v1/config/set/{key1}/{key2}", "/config/set/{key1}/{key2}/v1"),
        "config_set",
        ("value",),
    ),
    Route(
        "POST",
        ("/c/s/{key}/", "/v1/config/set/{key}", "/config/set/{key}/v1"),
        "config_set",
        ("value",),
    ),
    Route("POST", ("/c/s", "/v1/config/set", "/config/set/v1"), "config_set", ("key", "value")),
    Route("GET", ("/i/g", "/v1/identity/get", "/identity/get/v1"), "identity_get"),
    Route(
        "POST",
        ("/i/c", "/v1/identity/create", "/identity/create/v1"),
        "identity_create",
        ("username",),
    ),
    Route(
        "POST",
        ("/i/b", "/identity/backup", "/identity/backup/v1"),
        "identity_backup",
        ("destination_filepath",),
    ),
    Route("POST", ("/i/r", "/v1/identity/recover", "/identity/recover/v1"), "identity_recover"),
    Route("DELETE", ("/i/d", "/v1/identity/erase", "/identity/erase/v1"), "identity_erase"),
    Route("PUT", ("/i/rot", "/v1/identity/rotate", "/identity/rotate/v1"), "identity_rotate"),
    Route("PUT", ("/i/h", "/v1/identity/heal", "/identity/heal/v1"), "identity_heal"),
    Route(
        "GET",
        ("/i/ch/l", "/v1/identity/cache/list", "/identity/cache/list/v1"),
        "identity_cache_list",
    ),
    Route("GET", ("/k/l", "/v1/key/list", "/key/list/v1"), "keys_list"),
    Route("GET", ("/k/g", "/v1/key/get", "/key/get/v1"), "key_get", ("key_id",)),
    Route("POST", ("/k/c", "/v1/key/create", "/key/create/v1"), "key_create", ("alias",)),
    Route("POST", ("/k/lb", "/v1/key/label", "/key/label/v1"), "key_label", ("label", "key_id")),
    Route("POST", ("/k/st", "/v1/key/state", "/key/state/v1"), "key_state", ("active", "key_id")),
    Route("DELETE", ("/k/d", "/v1/key/erase", "/key/erase/v1"), "key_erase", ("key_id",)),
    Route(
        "PUT",
        ("/k/s", "/v1/key/share", "/key/share/v1"),
        "key_share",
        ("key_id", "trusted_user_id"),
    ),
    Route(
        "POST",
        ("/k/a", "/v1/key/audit", "/key/audit/v1"),
        "key_audit",
        ("key_id", "untrusted_user_id"),
    ),
    Route("GET", ("/f/s", "/v1/file/sync", "/file/sync/v1"), "files_sync"),
    Route("GET", ("/f/l", "/v1/file/list", "/file/list/v1"), "files_list"),
    Route("GET", ("/f/l/a", "/v1/file/list/all", "/file/list/all/v1"), "files_list"),
    Route("GET", ("/f/e", "/v1/file/exists", "/file/exists/v1"), "file_exists", ("remote_path",)),
    Route("GET", ("/f/i", "/v1/file/info", "/file/info/v1"), "file_info", ("remote_path",)),
    Route("POST", ("/f/c", "/v1/file/create", "/file/create/v1"), "file_create", ("remote_path",)),
    Route(
        "DELETE", ("/f/d", "/v1/file/delete", "/file/delete/v1"), "file_delete", ("remote_path",)
    ),
    Route("GET", ("/f/u/l", "/v1/file/upload", "/file/upload/v1"), "files_uploads"),
    Route(
        "POST",
        ("/f/u/o", "/v1/file/upload/start", "/file/upload/start/v1"),
        "file_upload_start",
        ("local_path", "remote_path"),
    ),
    Route(
        "POST",
        ("/f/u/c", "/v1/file/upload/stop", "/file/upload/stop/v1"),
        "file_upload_stop",
        ("remote_path",),
    ),
    Route("GET", ("/f/d/l", "/v1/file/download", "/file/download/v1"), "files_downloads"),
    Route(
        "POST",
        ("/f/d/o", "/v1/file/download/start", "/file/download/start/v1"),
        "file_download_start",
        ("remote_path",),
    ),
    Route(
        "POST",
        ("/f/d/c", "/v1/file/download/stop", "/file/download/stop/v1"),
        "file_download_stop",
        ("remote_path",),
    ),
    Route("GET", ("/f/x", "/v1/file/explore", "/file/explore/v1"), "file_explore", ("local_path",)),
    Route("GET", ("/sh/l", "/v1/share/list", "/share/list/v1"), "shares_list"),
    Route("GET", ("/sh/i", "/v1/share/info", "/share/info/v1"), "share_info", ("key_id",)),
    Route("POST", ("/sh/c", "/v1/share/create", "/share/create/v1"), "share_create"),
    Route("DELETE", ("/sh/d", "/v1/share/delete", "/share/delete/v1"), "share_delete", ("key_id",)),
    Route(
        "PUT",
        ("/sh/g", "/v1/share/grant", "/share/grant/v1"),
        "share_grant",
        (("trusted_user_id", "trusted_global_id", "trusted_idurl", "trusted_id"), "key_id"),
    ),
    Route("POST", ("/sh/o", "/v1/share/open", "/share/open/v1"), "share_open", ("key_id",)),
    Route("DELETE", ("/sh/cl", "/v1/share/close", "/share/close/v1"), "share_close", ("key_id",)),
    Route("GET", ("/sh/h", "/v1/share/history", "/share/history/v1"), "share_history"),
    Route("GET", ("/gr/l", "/v1/group/list", "/group/list/v1"), "groups_list"),
    Route("POST", ("/gr/c", "/v1/group/create", "/group/create/v1"), "group_create"),
    Route("GET", ("/gr/i", "/v1/group/info", "/group/info/v1"), "group_info"),
    Route("GET", ("/gr/dht", "/v1/group/info/dht", "/group/info/dht/v1"), "group_info_dht"),
    Route("POST", ("/gr/j", "/v1/group/join", "/group/join/v1"), "group_join", ("group_key_id",)),
    Route(
        "DELETE", ("/gr/lv", "/v1/group/leave", "/group/leave/v1"), "group_leave", ("group_key_id",)
    ),
    Route(
        "PUT",
        ("/gr/r", "/v1/group/reconnect", "/group/reconnect/v1"),
        "group_reconnect",
        ("group_key_id",),
    ),
    Route(
        "PUT",
        ("/gr/sh", "/v1/group/share", "/group/share/v1"),
        "group_share",
        (("trusted_user_id", "trusted_global_id", "trusted_idurl", "trusted_id"), "group_key_id"),
    ),
    Route("GET", ("/fr/l", "/v1/friend/list", "/friend/list/v1"), "friends_list"),
    Route(
        "POST",
        ("/fr/a", "/v1/friend/add", "/friend/add/v1"),
        "friend_add",
        (("trusted_user_id", "idurl", "global_id", "id"),),
    ),
    Route(
        "DELETE",
        ("/fr/d", "/v1/friend/remove", "/friend/remove/v1"),
        "friend_remove",
        (("user_id", "idurl", "global_id", "id"),),
    ),
    Route(
        "POST",
        ("/us/png", "/v1/user/ping", "/user/ping/v1"),
        "user_ping",
        (("user_id", "idurl", "global_id", "id"),),
    ),
    Route("GET", ("/us/png", "/v1/user/ping", "/user/ping/v1"), "user_ping"),
    Route("GET", ("/us/st", "/v1/user/status", "/user/status/v1"), "user_status"),
    Route(
        "GET", ("/us/st/c", "/v1/user/status/check", "/user/status/check/v1"), "user_status_check"
    ),
    Route(
        "GET",
        ("/us/s/{nickname}/", "/v1/user/search/{nickname}", "/user/search/{nickname}/v1"),
        "user_search",
    ),
    Route("GET", ("/us/s", "/v1/user/search", "/user/search/v1"), "user_search", ("nickname",)),
    Route(
        "GET",
        ("/us/o/{nickname}/", "/v1/user/observe/{nickname}", "/user/observe/{nickname}/v1"),
        "user_observe",
    ),
    Route("GET", ("/us/o", "/v1/user/observe", "/user/observe/v1"), "user_observe", ("nickname",)),
    Route("GET", ("/msg/h", "/v1/message/history", "/message/history/v1"), "message_history"),
    Route(
        "GET",
        ("/msg/c", "/v1/message/conversation", "/message/conversation/v1"),
        "message_conversations_list",
    ),
    Route(
        "GET",
        (
            "/msg/r/{consumer_callback_id}/",
            "/v1/message/receive/{consumer_callback_id}",
            "/message/receive/{consumer_callback_id}/v1",
        ),
        "message_receive",
    ),
    Route(
        "POST",
        ("/msg/s", "/v1/message/send", "/message/send/v1"),
        "message_send",
        (("recipient_id", "idurl", "global_id", "id"), "data"),
    ),
    Route(
        "POST",
        ("/msg/sg", "/v1/message/send/group", "/message/send/group/v1"),
        "message_send_group",
        ("group_key_id", "data"),
    ),
    Route("GET", ("/su/l", "/v1/supplier/list", "/supplier/list/v1"), "suppliers_list"),
    Route("POST", ("/su/c", "/v1/supplier/change", "/supplier/change/v1"), "supplier_change"),
    Route("DELETE", ("/su/r", "/v1/supplier/replace", "/supplier/replace/v1"), "supplier_change"),
    Route(
        "PUT",
        ("/su/sw", "/v1/supplier/switch", "/supplier/switch/v1"),
        "supplier_change",
        (("new_idurl", "new_global_id", "new_supplier_id"),),
    ),
    Route("POST", ("/su/png", "/v1/supplier/ping", "/supplier/ping/v1"), "suppliers_ping"),
    Route(
        "GET", ("/su/dht", "/v1/supplier/list/dht", "/supplier/list/dht/v1"), "suppliers_list_dht"
    ),
    Route("GET", ("/cu/l", "/v1/customer/list", "/customer/list/v1"), "customers_list"),
    Route(
        "DELETE",
        ("/cu/d", "/v1/customer/reject", "/customer/reject/v1"),
        "customer_reject",
        (("customer_id", "idurl", "global_id", "id"),),
    ),
    Route("POST", ("/cu/png", "/v1/customer/ping", "/customer/ping/v1"), "customers_ping"),
    Route("GET", ("/sp/d", "/v1/space/donated", "/space/donated/v1"), "space_donated"),
    Route("GET", ("/sp/c", "/v1/space/consumed", "/space/consumed/v1"), "space_consumed"),
    Route("GET", ("/sp/l", "/v1/space/local", "/space/local/v1"), "space_local"),
    Route("GET", ("/svc/l", "/v1/service/list", "/service/list/v1"), "services_list"),
    Route(
        "GET",
        (
            "/svc/i/{service_name}/",
            "/v1/service/info/{service_name}",
            "/service/info/{service_name}/v1",
        ),
        "service_info",
    ),
    Route(
        "POST",
        (
            "/svc/o/{service_name}/",
            "/v1/service/start/{service_name}",
            "/service/start/{service_name}/v1",
        ),
        "service_start",
    ),
    Route(
        "POST",
        (
            "/svc/c/{service_name}/",
            "/v1/service/stop/{service_name}",
            "/service/stop/{service_name}/v1",
        ),
        "service_stop",
    ),
    Route(
        "POST",
        (
            "/svc/r/{service_name}/",
            "/v1/service/restart/{service_name}",
            "/service/restart/{service_name}/v1",
        ),
        "service_restart",
    ),
    Route(
        "GET",
        (
            "/svc/h/{service_name}/",
            "/v1/service/health/{service_name}",
            "/service/health/{service_name}/v1",
        ),
        "service_health",
    ),
    Route("GET", ("/pkt/l", "/v1/packet/list", "/packet/list/v1"), "packets_list"),
    Route(
        "GET",
        ("/pkt/i", "/v1/packet/info", "/v1/packet/stats", "/packet/info/v1", "/packet/stats/v1"),
        "packets_stats",
    ),
    Route("GET", ("/tr/l", "/v1/transfer/list", "/transfer/list/v1"), "transfers_list"),
    Route("GET", ("/con/l", "/v1/connection/list", "/connection/list/v1"), "connections_list"),
    Route("GET", ("/str/l", "/v1/stream/list", "/stream/list/v1"), "streams_list"),
    Route("GET", ("/qu/l", "/v1/queue/list", "/queue/list/v1"), "queues_list"),
    Route(
        "GET",
        ("/qu/c/l", "/v1/queue/consumer/list", "/queue/consumer/list/v1"),
        "queue_consumers_list",
    ),
    Route(
        "GET",
        ("/qu/p/l", "/v1/queue/producer/list", "/queue/producer/list/v1"),
        "queue_producers_list",
    ),
    Route(
        "GET", ("/qu/k/l", "/v1/queue/keeper/list", "/queue/keeper/list/v1"), "queue_keepers_list"
    ),
    Route(
        "GET",
        ("/qu/ped/l", "/v1/queue/peddler/list", "/queue/peddler/list/v1"),
        "queue_peddlers_list",
    ),
    Route(
        "GET", ("/qu/s/l", "/v1/queue/stream/list", "/queue/stream/list/v1"), "queue_streams_list"
    ),
    Route("GET", ("/ev/l", "/v1/event/list", "/event/list/v1"), "events_list"),
    Route(
        "POST",
        ("/ev/s/{event_id}/", "/v1/event/send/{event_id}", "/event/send/{event_id}/v1"),
        "event_send",
    ),
    Route(
        "GET",
        (
            "/ev/l/{consumer_callback_id}/",
            "/v1/event/listen/{consumer_callback_id}",
            "/event/listen/{consumer_callback_id}/v1",
        ),
        "event_listen",
    ),
    Route("GET", ("/d/n/f", "/v1/dht/node/find", "/dht/node/find/v1"), "dht_node_find"),
    Route("GET", ("/d/u/r", "/v1/dht/user/random", "/dht/user/random/v1"), "dht_user_random"),
    Route("GET", ("/d/v/g", "/v1/dht/value/get", "/dht/value/get/v1"), "dht_value_get", ("key",)),
    Route(
        "POST",
        ("/d/v/s", "/v1/dht/value/set", "/dht/value/set/v1"),
        "dht_value_set",
        ("key", "value"),
    ),
    Route("GET", ("/d/d/d", "/v1/dht/db/dump", "/dht/db/dump/v1"), "dht_local_db_dump"),
    Route("GET", ("/b/i", "/v1/blockchain/info", "/blockchain/info/v1"), "blockchain_info"),
    Route(
        "GET",
        ("/b/w/b", "/v1/blockchain/wallet/balance", "/blockchain/wallet/balance/v1"),
        "blockchain_wallet_balance",
    ),
    Route(
        "POST",
        ("/b/t/s", "/v1/blockchain/transaction/send", "/blockchain/transaction/send/v1"),
        "blockchain_transaction_send",
        ("recipient", "amount"),
    ),
    Route(
        "GET",
        ("/b/b/p", "/v1/blockchain/block/produce", "/blockchain/block/produce/v1"),
        "blockchain_block_produce",
    ),
    Route(
        "GET",
        ("/st/l", "/v1/state/list", "/v1/automat/list", "/state/list/v1", "/automat/list/v1"),
        "automats_list",
    ),
    Route(
        "GET",
        ("/st/i", "/v1/state/info", "/v1/automat/info", "/state/info/v1", "/automat/info/v1"),
        "automat_info",
    ),
    Route(
        "POST",
        (
            "/st/e/start",
            "/v1/state/events/start",
            "/v1/automat/events/start",
            "/state/events/start/v1",
            "/automat/events/start/v1",
        ),
        "automat_events_start",
    ),
    Route(
        "POST",
        (
            "/st/e/stop",
            "/v1/state/events/stop",
            "/v1/automat/events/stop",
            "/state/events/stop/v1",
            "/automat/events/stop/v1",
        ),
        "automat_events_stop",
    ),
)
