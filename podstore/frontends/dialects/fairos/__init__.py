"""FairOS-dfs, every generation at once, on the main listener (issue 14).

Routes (method, paths; v0 takes multipart/urlencoded form fields everywhere, v1 snake_case
and camelCase JSON bodies or query strings, v2 camelCase):
  users  POST /v0|v1|v2/user/signup, /login; GET /v0|v1|v2/user/present;
         DELETE /v0|v1|v2/user/delete; POST /v0|v1/user/import, /logout, /export;
         GET /v0|v1/user/isloggedin, /stat

Generations. The path says v0 or v2; on /v1 the field names say: any snake_case key
(`pod_name`, even beside fairos-py-sdk's `indexType`) is v0.5-v0.8, camelCase keys only are
v0.9+. Where the request does not say (no fields), the answer is v0.8's, and where v0.8 and
v0.9+ name a key differently the answer carries both spellings (`user_name` and `userName`).
Messages carry `code` except for camelCase/v2 requests (v0.9+ dropped it).

Deliberate deviations:
- `/v1/user/signup|login|present|delete|export` are served, not answered "deprecated" (both
  snake_case clients call them).
- `accessToken` is an HS256 JWT `{sessionId, exp, iss}` whose session id is podstore's
  session token, signed with a key derived from it (FairOS: a per-process random secret),
  so it survives restarts and works on every node. The cookie holds the same token.
- `publicKey` is not sent (FairOS's is the secp256k1 key; podstore keeps no such key).
- `user/import` needs the mnemonic: podstore cannot import an account by address alone.
- `user/export` answers the user's name and address, not FairOS's wallet dump.
- An invalid or ended session answers 401 `cookie: user not logged-in` (FairOS varies).
"""
