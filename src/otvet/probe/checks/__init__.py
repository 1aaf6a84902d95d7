"""The probe's checks, one module per check; the explicit table is :mod:`otvet.probe.registry`."""
