"""The Hasura-style file service: files by global id, with Hasura's permission modes."""
