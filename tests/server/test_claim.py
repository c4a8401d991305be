"""Claiming the listeners' addresses: a taken port is refused, the server's own workers join."""

from __future__ import annotations

import socket

import pytest

from podstore.server.claim import AddressUnavailable, claim
from podstore.settings import ListenerSettings
from tests.fixtures.ports import free_port


def listener(port: int, host: str = "127.0.0.1") -> ListenerSettings:
    return ListenerSettings(app="main", host=host, port=port)


def worker_socket(port: int) -> socket.socket:
    """Bound as granian's workers bind: SO_REUSEADDR and SO_REUSEPORT, listening."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen()
    return sock


def test_a_claimed_address_takes_the_workers_and_no_second_server() -> None:
    port = free_port()
    held = claim([listener(port)])
    try:
        with pytest.raises(AddressUnavailable):  # before its workers listen, as after
            claim([listener(port)])
        with worker_socket(port) as first, worker_socket(port) as second:
            with pytest.raises(AddressUnavailable, match=f"127.0.0.1:{port}: it is already in"):
                claim([listener(port)])
            for _ in range(20):  # the held socket never listens: no connection is lost to it
                with socket.create_connection(("127.0.0.1", port), timeout=5):
                    pass
            first.setblocking(False)
            second.setblocking(False)
            accepted = 0
            for sock in (first, second):
                while True:
                    try:
                        sock.accept()[0].close()
                    except BlockingIOError:
                        break
                    accepted += 1
            assert accepted == 20
    finally:
        for sock in held:
            sock.close()
    claim([listener(port)])[0].close()  # free again once the server has gone


def test_a_port_another_program_listens_on_is_refused() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(AddressUnavailable, match="another podstore, or another program"):
            claim([listener(free_port()), listener(port)])


def test_a_restart_over_its_own_time_wait_connections_claims_the_port() -> None:
    port = free_port()
    with worker_socket(port) as old:
        for _ in range(3):  # the server closes first: TIME_WAIT stays on its side
            with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
                old.accept()[0].close()
                client.recv(1)
    held = claim([listener(port)])
    assert len(held) == 1
    held[0].close()


def test_an_address_that_cannot_be_bound_says_why() -> None:
    with pytest.raises(AddressUnavailable, match=r"cannot listen on 192\.0\.2\.1:"):
        claim([listener(free_port(), host="192.0.2.1")])  # TEST-NET-1: no interface has it
    assert claim([listener(0)]) == []  # a port the kernel picks needs no claim
