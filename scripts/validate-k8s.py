#!/usr/bin/env python3
"""Validate rendered streams with validators independent of difyx.

Secrets are checked by kubernetes-validate against the Kubernetes 1.37
schemas (strict: unknown fields rejected); ExternalSecrets against the
openAPIV3Schema of the External Secrets Operator CRD given on the command
line, for the document's apiVersion. Nulls are dropped first, as the API
server prunes null values of non-nullable fields.

usage: validate-k8s.py CRD.yaml STREAM.yaml...
"""
import sys

import jsonschema
import kubernetes_validate
import yaml


def drop_nulls(v):
    if isinstance(v, dict):
        return {k: drop_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [drop_nulls(x) for x in v]
    return v


def crd_schemas(path):
    with open(path) as f:
        crd = yaml.safe_load(f)
    group = crd["spec"]["group"]
    return {
        f"{group}/{v['name']}": v["schema"]["openAPIV3Schema"]
        for v in crd["spec"]["versions"]
    }


def main():
    schemas = crd_schemas(sys.argv[1])
    failures, checked = [], {"Secret": 0, "ExternalSecret": 0}
    for path in sys.argv[2:]:
        with open(path) as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        for doc in docs:
            kind = doc.get("kind")
            where = f"{path}: {kind}/{doc.get('metadata', {}).get('name')}"
            try:
                if kind == "Secret":
                    kubernetes_validate.validate(doc, "1.37.0", strict=True)
                elif kind == "ExternalSecret":
                    schema = schemas.get(doc.get("apiVersion"))
                    if schema is None:
                        raise ValueError(f"no CRD version for apiVersion {doc.get('apiVersion')}")
                    jsonschema.validate(drop_nulls(doc), schema)
                else:
                    raise ValueError(f"unexpected kind {kind}")
                checked[kind] += 1
            except Exception as e:  # every validator error is a failure
                failures.append(f"{where}: {e}")
    for f in failures:
        print(f"INVALID {f}", file=sys.stderr)
    print(f"{checked['Secret']} Secrets and {checked['ExternalSecret']} ExternalSecrets valid, "
          f"{len(failures)} invalid")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
