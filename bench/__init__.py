"""The performance benchmark (`make bench`): seeding, the harness, operations and their floors.

Not a timed test: it measures each operation against a floor on the same machine in the same
run and reports the ratios. See bench/harness.py for how to add an operation.
"""
