#!/usr/bin/env python3
"""Validates report.json files against Documentation/schema/report.schema.json.

Usage: validate_report.py REPORT.json [...]   (exit 0 valid, 1 invalid; needs pip install jsonschema)
"""
import json
import pathlib
import sys

import jsonschema

schema = json.loads((pathlib.Path(__file__).resolve().parents[2] / "Documentation/schema/report.schema.json").read_text())
validator = jsonschema.Draft202012Validator(schema)
failed = False
for path in sys.argv[1:]:
    errors = sorted(validator.iter_errors(json.loads(pathlib.Path(path).read_text())), key=lambda e: list(e.path))
    for error in errors:
        failed = True
        print(f"{path}: {'/'.join(map(str, error.path)) or '(root)'}: {error.message}")
    if not errors:
        print(f"{path}: valid")
sys.exit(1 if failed else 0)
