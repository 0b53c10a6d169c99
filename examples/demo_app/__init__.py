"""A small command-line tool for the lazyimp demo: statistics over numbers, with exports.

Its modules import what every feature needs at module level, as most tools do; a run
that only computes statistics never uses the export machinery.
"""
