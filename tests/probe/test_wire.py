"""Wire formats against their specifications and an independent implementation (pysnmp/pyasn1)."""

from __future__ import annotations

import struct

from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api
from pysnmp.proto.mpmod.rfc3412 import SNMPv3Message
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters

from otvet.probe.wire import ftp, http, modbus, snmp, ssh, telnet, tftp, tls


def test_modbus_requests_are_the_spec_bytes() -> None:
    # MODBUS Application Protocol V1.1b3, 6.3: read holding registers 107-109 example, on TCP.
    assert modbus.read_holding(1, 0x11, 0x6B, 3) == bytes.fromhex(
        "0001 0000 0006 11 03 006B 0003".replace(" ", "")
    )
    assert modbus.write_single(2, 1, 1, 3) == bytes.fromhex("000200000006010600010003")
    assert modbus.read_device_identification(3, 1) == bytes.fromhex("000300000005012b0e0100")
    exception = modbus.parse(bytes.fromhex("000100000003018302"))
    assert (exception.function, exception.exception_text) == (3, "illegal data address")
    pdu = bytes([0x2B, 0x0E, 1, 1, 0, 0, 2, 0, 5]) + b"Acme " + bytes([1, 5]) + b"X10-1"
    ident = modbus.parse(struct.pack(">HHHB", 3, 0, len(pdu) + 1, 1) + pdu)
    assert modbus.device_identification(ident) == {"VendorName": "Acme ", "ProductCode": "X10-1"}


def test_snmp_messages_decode_with_pysnmp() -> None:
    request = snmp.get_request(1, b"public", 4242, (snmp.SYS_DESCR, snmp.SYS_UPTIME))
    module = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    message, rest = decoder.decode(request, asn1Spec=module.Message())
    assert rest == b""
    assert str(module.apiMessage.get_community(message)) == "public"
    pdu = module.apiMessage.get_pdu(message)
    assert int(module.apiPDU.get_request_id(pdu)) == 4242
    assert [str(oid) for oid, _ in module.apiPDU.get_varbinds(pdu)] == [snmp.SYS_DESCR, snmp.SYS_UPTIME]
    discovery = snmp.discovery_request(7, 8)
    v3, rest = decoder.decode(discovery, asn1Spec=SNMPv3Message())
    assert rest == b""
    usm, _ = decoder.decode(bytes(v3["msgSecurityParameters"]), asn1Spec=UsmSecurityParameters())
    assert bytes(usm["msgUserName"]) == b"" and bytes(usm["msgAuthoritativeEngineId"]) == b""
    assert bytes(v3["msgGlobalData"]["msgFlags"]) == b"\x04"  # reportable, noAuthNoPriv


def test_snmp_responses_encoded_by_pysnmp_parse() -> None:
    module = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
    request, _ = decoder.decode(
        snmp.get_request(1, b"public", 99, (snmp.SYS_UPTIME,)), asn1Spec=module.Message()
    )
    response = module.apiMessage.get_response(request)
    module.apiPDU.set_varbinds(
        module.apiMessage.get_pdu(response), [(snmp.SYS_UPTIME, module.TimeTicks(123456))]
    )
    parsed = snmp.parse(encoder.encode(response))
    assert (parsed.request_id, parsed.pdu_name, parsed.value(snmp.SYS_UPTIME)) == (99, "Response", "123456")


def test_tls_client_hello_structure_and_flight_scanning() -> None:
    for version in tls.VERSION_NAMES:
        hello = tls.client_hello(version, key_share=b"\x01" * 32)
        kind, record_version, size = struct.unpack(">BHH", hello[:5])
        assert kind == 22 and size == len(hello) - 5
        assert hello[5] == 1 and int.from_bytes(hello[6:9], "big") == size - 4
        assert record_version == (tls.SSL3 if version == tls.SSL3 else tls.TLS10)
    alert = bytes([21, 3, 3, 0, 2, 2, 70])
    assert tls.scan(alert).alert_name == "protocol_version"
    assert not tls.scan(b"HTTP/1.1 400 Bad Request\r\n").tls
    assert not tls.scan(bytes([22, 3, 3, 0, 10])).complete  # a record still arriving
    cancel = tls.cancel(tls.TLS10)
    assert cancel == bytes([21, 3, 1, 0, 2, 1, 90, 21, 3, 1, 0, 2, 1, 0])


def test_ssh_kexinit_and_disconnect() -> None:
    lists = [
        b"curve25519-sha256",
        b"ssh-ed25519",
        b"aes128-ctr",
        b"aes128-ctr",
        b"hmac-sha2-256",
        b"hmac-sha2-256",
        b"none",
        b"none",
        b"",
        b"",
    ]
    payload = (
        bytes([20])
        + b"\x00" * 16
        + b"".join(struct.pack(">I", len(x)) + x for x in lists)
        + b"\x00"
        + b"\x00" * 4
    )
    padding = 8 - (len(payload) + 5) % 8 + 8
    packet = struct.pack(">IB", len(payload) + padding + 1, padding) + payload + b"\x00" * padding
    parsed = ssh.kexinit(packet)
    assert parsed.lists["kex_algorithms"] == ("curve25519-sha256",)
    assert ssh.identification(b"welcome\r\nSSH-2.0-OpenSSH_9.6\r\n\x00\x00") == ("SSH-2.0-OpenSSH_9.6", 30)
    bye = ssh.disconnect()
    assert (len(bye)) % 8 == 0 and bye[5] == 1  # RFC 4253 6: whole packet a multiple of 8


def test_text_protocols() -> None:
    response = http.parse(
        b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="x"\r\n\r\n<form><input type="password">'
    )
    assert http.auth_schemes(response) == ("Basic",) and http.has_password_form(response.body)
    reply = ftp.reply(b"220-Welcome\r\n220-to the RTU\r\n220 ready\r\n331")
    assert reply is not None and (reply.code, reply.text) == (220, "Welcome\nto the RTU\nready")
    text, options = telnet.split(bytes([255, 253, 24, 255, 251, 1]) + b"login: ")
    assert text == b"login: " and options == [(253, 24), (251, 1)]
    assert telnet.refuse_all(options) == bytes([255, 252, 24, 255, 254, 1])
    assert tftp.parse(b"\x00\x05\x00\x01File not found\x00") == tftp.Packet(5, 1, "File not found")
