#!/usr/bin/env python3
"""Validates mappings (YAML) against Documentation/schema/mapping.schema.json.

Usage: validate_mapping.py MAPPING.yaml [...]   (exit 0 valid, 1 invalid; needs pip install jsonschema pyyaml)
"""
import json
import pathlib
import sys

import jsonschema
import yaml

schema = json.loads((pathlib.Path(__file__).resolve().parents[2] / "Documentation/schema/mapping.schema.json").read_text())
validator = jsonschema.Draft202012Validator(schema)
failed = False
for path in sys.argv[1:]:
    # Dates stay text: the mapping language reads 2024-12-31 as a string, as YAML 1.2 does.
    loader = yaml.SafeLoader
    loader.yaml_implicit_resolvers = {key: [(tag, regexp) for tag, regexp in value if tag != "tag:yaml.org,2002:timestamp"]
                                      for key, value in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()}
    document = yaml.load(pathlib.Path(path).read_text(), Loader=loader)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    for error in errors:
        failed = True
        print(f"{path}: {'/'.join(map(str, error.path)) or '(root)'}: {error.message}")
    if not errors:
        print(f"{path}: valid")
sys.exit(1 if failed else 0)
