"""``ssh.auth_methods``: which login methods the SSH server offers (authentication attempt: ``--auth``).

The client asks to log in as ``otvet-probe`` without any credential (RFC 4252 section 5.2:
the server answers with the methods that can continue) and records what is offered.
Password or keyboard-interactive logins are open to guessing and to default passwords.
"""

from __future__ import annotations

from typing import ClassVar

from otvet.model.probe import Budget, Category, PortSpec, ProbeOptions, ProbeTarget, Transport, Verdict
from otvet.probe.checks import sshutil
from otvet.probe.interface import SSH, CheckBase, CheckContext, CheckOutcome, finding, outcome, where


class SshAuthMethods(CheckBase):
    """One connection, no credential."""

    id: ClassVar[str] = "ssh.auth_methods"
    version: ClassVar[str] = "1.0"
    title: ClassVar[str] = "SSH login methods offered"
    category: ClassVar[Category] = Category.AUTH
    protocols: ClassVar[tuple[str, ...]] = (SSH,)
    default_ports: ClassVar[tuple[PortSpec, ...]] = (PortSpec(22, Transport.TCP, SSH, "default"),)
    criteria: ClassVar[tuple[str, ...]] = ()
    sends: ClassVar[str] = (
        "One SSH connection to {port} (key exchange, then a login request for user 'otvet-probe' with no "
        "credential, which makes the server list its methods); SSH_MSG_DISCONNECT; FIN."
    )
    libraries: ClassVar[tuple[str, ...]] = ("asyncssh",)

    def budget(self, target: ProbeTarget, options: ProbeOptions) -> Budget:
        p = options.pacing
        return Budget(
            max_connections=1,
            max_packets=30,
            timeout_s=p.min_gap_s + p.connect_timeout_s + 6 * p.read_timeout_s + 5,
        )

    async def run(self, ctx: CheckContext) -> CheckOutcome:
        try:
            accepted, recorder, detail = await sshutil.attempt(ctx, ctx.port_number, "otvet-probe", None)
        except (ConnectionRefusedError, TimeoutError, OSError) as exc:
            return outcome(
                finding("methods", Verdict.INDETERMINATE, f"No SSH session on {where(ctx)}: {exc}.", ())
            )
        fields = {"offered": recorder.offered, "host_key": recorder.host_key, "result": detail}
        if accepted:
            return outcome(
                finding(
                    "methods",
                    Verdict.FAIL,
                    f"The SSH server on {where(ctx)} let 'otvet-probe' in without any credential.",
                    ("SBD-06.01",),
                ),
                **fields,
            )
        guessable = [m for m in recorder.offered if m in ("password", "keyboard-interactive")]
        if guessable:
            return outcome(
                finding(
                    "methods",
                    Verdict.WARN,
                    f"The SSH server on {where(ctx)} offers {', '.join(guessable)} logins.",
                    (),
                ),
                **fields,
            )
        return outcome(
            finding(
                "methods",
                Verdict.PASS,
                f"The SSH server on {where(ctx)} offers only {', '.join(recorder.offered) or 'no'} login.",
                (),
            ),
            **fields,
        )
