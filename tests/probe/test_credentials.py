"""Default-credential lists: the shipped one, user CSVs, the public cheat-sheet form; never more than 3."""

from __future__ import annotations

from pathlib import Path

import pytest

from otvet.model.errors import FormatError
from otvet.probe import credentials


def test_the_shipped_list_names_a_public_source_for_every_row() -> None:
    shipped = credentials.load(None)
    assert 25 <= len(shipped.rows) <= 40
    for row in shipped.rows:
        assert row.reference and len(row.reference) > 20, row.source
        assert row.service in ("http", "telnet", "ftp", "ssh", "any")


def test_vendor_rows_come_first_and_at_most_three_are_tried() -> None:
    shipped = credentials.load(None)
    moxa = shipped.select("telnet", "Moxa Inc.", max_tries=10)
    assert len(moxa) == 3
    assert (moxa[0].username, moxa[0].password) == ("admin", "moxa")
    assert moxa[2].vendor == "*"  # then the generic defaults
    unknown = shipped.select("http", "Northwind Controls")
    assert all(c.vendor == "*" for c in unknown) and len(unknown) == 3
    assert shipped.select("http", None, max_tries=0) == ()
    assert "<redacted>" in moxa[0].shown and "moxa" not in moxa[0].shown


@pytest.mark.corpus
def test_the_public_cheat_sheet_form_is_read(corpus: Path) -> None:
    sheet = credentials.load(corpus / "creds" / "DefaultCreds-Cheat-Sheet.csv")
    assert len(sheet.rows) > 3000
    chosen = sheet.select("telnet", "Moxa")
    assert len(chosen) == 3
    assert all("moxa" in c.vendor.lower() for c in chosen)
    # "<blank>" is an empty value, and "(telnet)" a service hint.
    assert any(c.username == "" for c in chosen)
    assert any(c.service == "telnet" for c in chosen)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("user,pass\nadmin,admin\n", "expected the columns"),
        ("vendor,product,service,username,password,source\nX,,smtp,a,b,c\n", "unknown service"),
        ("vendor,product,service,username,password,source\nX,,any,a\n", "expected 6 columns"),
        ("# only a comment\n", "empty credentials list"),
    ],
)
def test_malformed_lists_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "creds.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match=message):
        credentials.load(path)
