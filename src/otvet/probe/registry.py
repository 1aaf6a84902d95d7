"""The one explicit table of probe checks, in the order they run.

A new check is one module in ``otvet/probe/checks/`` plus one line here; ``docs/probe.md``
is generated from this table (``python scripts/probe_docs.py``) and a test keeps it current.
Order matters: the inventory runs first (the banner check reads its findings), safe checks
before authentication attempts, intrusive checks last.
"""

from __future__ import annotations

from otvet.probe.checks.auth_lockout import AuthLockout
from otvet.probe.checks.creds_ftp import CredsFtp
from otvet.probe.checks.creds_http import CredsHttp
from otvet.probe.checks.creds_ssh import CredsSsh
from otvet.probe.checks.creds_telnet import CredsTelnet
from otvet.probe.checks.ftp_anonymous import FtpAnonymous
from otvet.probe.checks.ftp_service import FtpService
from otvet.probe.checks.http_cleartext import HttpCleartext
from otvet.probe.checks.load_burst import LoadBurst
from otvet.probe.checks.modbus_identify import ModbusIdentify
from otvet.probe.checks.modbus_read import ModbusRead
from otvet.probe.checks.modbus_tls import ModbusTlsClientAuth
from otvet.probe.checks.modbus_writeback import ModbusWriteback
from otvet.probe.checks.opcua_anonymous import OpcuaAnonymous
from otvet.probe.checks.opcua_endpoints import OpcuaEndpoints
from otvet.probe.checks.snmp_community import SnmpCommunity
from otvet.probe.checks.snmp_v3 import SnmpV3Discovery
from otvet.probe.checks.ssh_algorithms import SshAlgorithms
from otvet.probe.checks.ssh_auth_methods import SshAuthMethods
from otvet.probe.checks.tcp_banner import TcpBanner
from otvet.probe.checks.tcp_inventory import TcpInventory
from otvet.probe.checks.telnet_service import TelnetService
from otvet.probe.checks.tftp_service import TftpService
from otvet.probe.checks.tls_certificate import TlsCertificate
from otvet.probe.checks.tls_versions import TlsVersions
from otvet.probe.interface import Check

CHECKS: tuple[type[Check], ...] = (
    # safe: run by default
    TcpInventory,
    TcpBanner,
    TelnetService,
    FtpService,
    TftpService,
    HttpCleartext,
    SnmpV3Discovery,
    SnmpCommunity,
    TlsVersions,
    TlsCertificate,
    SshAlgorithms,
    OpcuaEndpoints,
    ModbusIdentify,
    ModbusRead,
    ModbusTlsClientAuth,
    # authentication attempts (--auth)
    FtpAnonymous,
    SshAuthMethods,
    OpcuaAnonymous,
    CredsHttp,
    CredsTelnet,
    CredsFtp,
    CredsSsh,
    # extended: --extended and a lab confirmation
    AuthLockout,
    # intrusive: --intrusive and a lab confirmation
    ModbusWriteback,
    LoadBurst,
)
"""Every check, in the order the engine runs them."""


def check_ids() -> tuple[str, ...]:
    """Ids of the registered checks."""
    return tuple(cls.id for cls in CHECKS)
