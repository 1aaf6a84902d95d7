"""RFC 9116 ``security.txt``: parse (plain or OpenPGP cleartext-signed) and check.

Checks (RFC 9116 section 2.5): ``Contact`` present (one or more, URIs), ``Expires`` present
exactly once, an RFC 3339 date-time, not in the past and less than a year ahead (section
2.5.5 recommends less than a year); ``Canonical``, ``Policy``, ``Encryption``, ``CSAF``
(CSAF 2.0 section 7.1.8) and ``Preferred-Languages`` are read and reported. A cleartext
signature is verified with gpgv only against keys the user trusts; otherwise the file is
"signed, signature not verified: no trusted key".
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from otvet.formats.openpgp import SignatureCheck, SignatureStatus, verify

KNOWN_FIELDS = (
    "Acknowledgments",
    "Canonical",
    "Contact",
    "CSAF",
    "Encryption",
    "Expires",
    "Hiring",
    "Policy",
    "Preferred-Languages",
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


@dataclass(frozen=True)
class TxtProblem:
    """A problem in a security.txt, with its line (0: the whole file)."""

    line: int
    message: str
    severity: str = "error"
    """``error`` (RFC 9116 MUST) or ``warning`` (SHOULD / recommendation)."""


@dataclass
class SecurityTxt:
    """A parsed security.txt."""

    fields: list[tuple[str, str, int]] = field(default_factory=list)
    """(field name as canonical, value, line number), in file order."""
    signed: bool = False
    signature: SignatureCheck | None = None
    expires: datetime | None = None
    problems: list[TxtProblem] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        """All values of a field (case-insensitive name)."""
        return [v for n, v, _ in self.fields if n.lower() == name.lower()]

    @property
    def errors(self) -> list[TxtProblem]:
        """Violations of RFC 9116 MUST requirements."""
        return [p for p in self.problems if p.severity == "error"]


def _cleartext_body(text: str) -> tuple[str, int] | None:
    """The signed body of an OpenPGP cleartext message and the line it starts on."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "-----BEGIN PGP SIGNED MESSAGE-----":
        return None
    index = 1
    while index < len(lines) and lines[index].strip():
        index += 1  # armor headers (Hash: SHA512)
    start = index + 1
    end = next(
        (i for i in range(start, len(lines)) if lines[i].startswith("-----BEGIN PGP SIGNATURE-----")),
        len(lines),
    )
    body = "\n".join(ln[2:] if ln.startswith("- ") else ln for ln in lines[start:end])
    return body, start + 1


def parse_security_txt(
    text: str, *, now: datetime, keyring: bytes = b"", source: Path | None = None
) -> SecurityTxt:
    """Parse and check a security.txt as of ``now`` (timezone-aware)."""
    result = SecurityTxt()
    body, first_line = text, 1
    cleartext = _cleartext_body(text)
    if cleartext is not None:
        result.signed = True
        body, first_line = cleartext
        if keyring:
            if source is None:
                with tempfile.TemporaryDirectory(prefix="otvet-sectxt-") as tmp:
                    path = Path(tmp) / "security.txt"
                    path.write_text(text, encoding="utf-8")
                    result.signature = verify(path, None, keyring)
            else:
                result.signature = verify(source, None, keyring)
        else:
            result.signature = SignatureCheck(
                SignatureStatus.NO_TRUSTED_KEY, "signed, signature not verified: no trusted key"
            )
    elif "-----BEGIN PGP" in text:
        result.problems.append(
            TxtProblem(0, "an OpenPGP block that is not a cleartext signature around the file")
        )
    canonical = {f.lower(): f for f in KNOWN_FIELDS}
    for offset, raw in enumerate(body.splitlines()):
        line_no = first_line + offset
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or " " in name.strip():
            result.problems.append(TxtProblem(line_no, f"not a 'Field: value' line: {line[:60]!r}"))
            continue
        result.fields.append((canonical.get(name.strip().lower(), name.strip()), value.strip(), line_no))
    _check(result, now)
    return result


def _check(txt: SecurityTxt, now: datetime) -> None:
    contacts = txt.values("Contact")
    if not contacts:
        txt.problems.append(TxtProblem(0, "no Contact field (RFC 9116 section 2.5.3 requires at least one)"))
    for name, value, line in txt.fields:
        if name in (
            "Contact",
            "Canonical",
            "Policy",
            "Encryption",
            "CSAF",
            "Acknowledgments",
            "Hiring",
        ) and not _URI.match(value):
            txt.problems.append(TxtProblem(line, f"{name} must be a URI, got {value!r}"))
        if name in ("Contact", "Canonical", "Policy", "CSAF") and value.lower().startswith("http://"):
            txt.problems.append(
                TxtProblem(line, f"{name} uses http:// (RFC 9116 requires https for web URIs)")
            )
    expires = [(v, ln) for n, v, ln in txt.fields if n == "Expires"]
    if not expires:
        txt.problems.append(TxtProblem(0, "no Expires field (RFC 9116 section 2.5.5 requires exactly one)"))
    elif len(expires) > 1:
        txt.problems.append(TxtProblem(expires[1][1], "Expires appears more than once"))
    if expires:
        value, line = expires[0]
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
            if moment.tzinfo is None or not re.match(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}", value):
                raise ValueError(value)
        except ValueError:
            txt.problems.append(
                TxtProblem(line, f"Expires {value!r} is not an RFC 3339 date-time with offset")
            )
        else:
            txt.expires = moment
            if moment <= now:
                txt.problems.append(TxtProblem(line, f"expired on {moment.date().isoformat()}"))
            elif moment - now > timedelta(days=366):
                txt.problems.append(
                    TxtProblem(
                        line,
                        f"expires {moment.date().isoformat()}, more than a year ahead (RFC 9116 section 2.5.5)",
                        "warning",
                    )
                )
    for name in ("Canonical", "Policy"):
        if not txt.values(name):
            txt.problems.append(TxtProblem(0, f"no {name} field", "warning"))
    if len(txt.values("Preferred-Languages")) > 1:
        txt.problems.append(TxtProblem(0, "Preferred-Languages appears more than once"))
