#!/usr/bin/env python3
"""Builds charts/dify/schema/upstream.schema.json: the type constraints of the
Dify chart's values.schema.json at every release that has one (0.30.0 on),
merged into one document. A property present only in some releases carries
"x-since" / "x-until" (until: first release without it); a node whose
constraints changed carries "x-earlier": [{"until": V, "schema": {...}}], the
node as it was before V; "x-nodefault": [V, ...] lists the releases whose
values.yaml has no non-null default there (a user null there is kept and
checked, while elsewhere Helm deletes it with the default). difyx prunes the document per release at load
(src/values/schema/versioned.rs). Titles, descriptions and defaults are left
out: only what Helm validates.

Usage: scripts/gen-upstream-schema.py ../shared/upstream > charts/dify/schema/upstream.schema.json
"""
import json
import sys

VERSIONS = ["0.30.0", "0.31.0", "0.32.0", "0.33.0", "0.34.0", "0.35.0",
            "0.36.0", "0.37.0", "0.38.0-rc2"]
KEEP = {"type", "items", "required", "enum", "additionalProperties"}


def own(node):
    """The node's constraints, without its properties."""
    return {k: node[k] for k in sorted(node) if k in KEEP}


DEFAULTS = {}


def has_default(version, path):
    node = DEFAULTS[version]
    for k in path:
        if not isinstance(node, dict) or node.get(k) is None:
            return False
        node = node[k]
    return True


def merge(nodes, path=()):
    """nodes: {version: schema node or None}. Returns the merged node."""
    present = [v for v in VERSIONS if nodes.get(v) is not None]
    out = {}
    first, last = present[0], present[-1]
    if first != VERSIONS[0] and first in VERSIONS:
        out["x-since"] = first
    li = VERSIONS.index(last)
    if li + 1 < len(VERSIONS):
        out["x-until"] = VERSIONS[li + 1]
    # Constraints: the newest release's, with earlier variants.
    variants = []
    newest = own(nodes[last])
    for v in present:
        c = own(nodes[v])
        if c != newest and (not variants or variants[-1][1] != c):
            variants.append([v, c])
    out.update(newest)
    if path:
        nodefault = [v for v in present if not has_default(v, path)]
        if nodefault:
            out["x-nodefault"] = nodefault
    if variants:
        earlier = []
        for i, (v, c) in enumerate(variants):
            nxt = variants[i + 1][0] if i + 1 < len(variants) else None
            # until: the first release after v whose constraints differ from c
            j = present.index(v)
            until = next(p for p in present[j:] if own(nodes[p]) != c)
            earlier.append({"until": until, "schema": c})
        out["x-earlier"] = earlier
    names = []
    for v in present:
        for k in nodes[v].get("properties", {}):
            if k not in names:
                names.append(k)
    if names:
        out["properties"] = {
            k: merge({v: (nodes[v].get("properties") or {}).get(k) for v in present}, path + (k,))
            for k in names
        }
    return out


def main():
    root = sys.argv[1]
    import yaml
    docs = {v: json.load(open(f"{root}/{v}/values.schema.json")) for v in VERSIONS}
    for v in VERSIONS:
        DEFAULTS[v] = yaml.safe_load(open(f"{root}/{v}/values.yaml"))
    merged = merge(docs)
    merged = {"$schema": "http://json-schema.org/draft-07/schema#", **merged}
    text = json.dumps(merged, separators=(",", ":"), sort_keys=False)
    # One top-level property per line, for readable diffs.
    body = ",\n".join(
        json.dumps(k) + ":" + json.dumps(v, separators=(",", ":"))
        for k, v in merged["properties"].items()
    )
    head = {k: v for k, v in merged.items() if k != "properties"}
    print("{" + ",".join(json.dumps(k) + ":" + json.dumps(v) for k, v in head.items())
          + ',"properties":{\n' + body + "\n}}")


main()
