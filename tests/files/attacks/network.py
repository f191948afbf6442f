# Reach out: a server on the host's loopback, and an address on the internet.
import socket

for name, address in [("host_loopback", ("127.0.0.1", TARGETS["port"])), ("internet", ("1.1.1.1", 53))]:
    try:
        with socket.create_connection(address, timeout=3):
            print(f"{name}: LEAKED connected to {address}")
    except OSError as exc:
        print(f"{name}: BLOCKED", type(exc).__name__)
