"""A TLS (HTTPS) service in three variants, with certificates made at test time.

- ``legacy``: only TLS 1.0 and 1.1 (the server context drops to OpenSSL security level 0
  for that, as old devices effectively do), self-signed certificate;
- ``expired``: current TLS, self-signed certificate that expired a month ago;
- ``good``: TLS 1.2 and 1.3, certificate issued by the range CA for the device's address.
"""

from __future__ import annotations

import asyncio
import ssl
import warnings

from tests.probe.range import certs
from tests.probe.range.device import Device, close


class TlsDevice(Device):
    """An HTTPS server."""

    kind = "tls"

    async def start(self) -> None:
        self.ca = certs.ca(self.workdir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if self.variant == "legacy":
            issued = certs.leaf(self.workdir, "server", self.address, rsa_bits=2048)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = ssl.TLSVersion.TLSv1
                context.maximum_version = ssl.TLSVersion.TLSv1_1
            # NOTE: OpenSSL 3 refuses TLS 1.0/1.1 at its default security level 1.
            context.set_ciphers("ALL:@SECLEVEL=0")
        elif self.variant == "expired":
            issued = certs.leaf(self.workdir, "server", self.address, days=(-400, -30))
        else:
            issued = certs.leaf(self.workdir, "server", self.address, issuer=self.ca)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(issued.cert_path, issued.key_path)
        self.certificate = issued
        server = await asyncio.start_server(
            self._serve, self.address, 0, ssl=context, ssl_handshake_timeout=10
        )
        self._servers.append(server)
        await self.expose("https", server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            await writer.drain()
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            TimeoutError,
            ConnectionError,
            ssl.SSLError,
        ):
            pass
        finally:
            await close(writer)
