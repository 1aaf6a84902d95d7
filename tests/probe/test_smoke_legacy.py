from tests.probe.conftest import Lab, probe, record
from tests.probe.range.legacy import LegacyDevice


def test_smoke(lab: Lab) -> None:
    bad = lab.device(LegacyDevice, "bad")
    run = probe(bad.target())
    for r in run.checks:
        print(r.check_id, r.port, r.verdict, r.rationale, r.used)
    print(run.watch.rationale)
    good = lab.device(LegacyDevice, "good")
    run = probe(good.target())
    for r in run.checks:
        print(r.check_id, r.port, r.verdict, r.rationale)
    print(run.watch.rationale)
    assert record(run, "telnet.service")
