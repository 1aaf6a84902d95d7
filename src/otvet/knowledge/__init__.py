"""Offline vulnerability knowledge base: imported OSV, NVD, KEV, EPSS and CSAF data, and matching."""
