"""The probe's test range: simulated OT devices on loopback addresses, speaking real protocols.

Each simulated device lives on its own address ``127.0.N.1`` with ports the kernel picks
(above 1024), in a good and a bad variant. An accounting proxy in front of every TCP
service (and a UDP proxy in front of ``snmpd``) keeps a ledger of what reached the device:
connections, their overlap, the gaps between them, how each ended (clean close, reset, or
still open), bytes, and, from the simulators themselves, every authentication attempt and
every write. Tests assert on these ledgers, not on what the probe says about itself.
"""
