"""Importing customers and orders from CSV and XLSX files.

The steps, one module each: ``readers`` streams rows out of a file (CSV in any common dialect and
encoding, or the first sheet of an XLSX workbook); ``mapping`` says which column feeds which field
and suggests it from the header; ``rows`` turns each raw row into a ``CustomerInput`` or
``OrderInput`` or a bad row with the reason; ``pipeline`` runs it all in batches through the upsert
services and writes the bad-row report; ``bulk`` holds the set-based SQL those services use.

This package imports nothing on load, so ``customers.services`` can use ``bulk`` without a cycle.
"""
