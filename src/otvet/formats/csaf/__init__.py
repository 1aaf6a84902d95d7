"""CSAF: reading, validation, product-tree resolution, VEX and distribution checks."""
