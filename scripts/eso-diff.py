#!/usr/bin/env python3
"""Byte-for-byte comparison of the ExternalSecret documents Helm and difyx render.

For every chart version in ../shared/upstream (or those given with -V) and every
configuration below (plus each conformance-versions case), renders the upstream
chart with Helm and the embedded chart with difyx, both with --show-only for the
ExternalSecret templates, and compares the documents byte for byte.

Usage: scripts/eso-diff.py [-V VERSION]... [-k CASE-SUBSTRING] [-v]
Needs helm (HELM, default /work/tools/helm), a built difyx (DIFYX, default
target/debug/difyx) and the upstream charts (UPSTREAM, default /work/shared/upstream).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HELM = os.environ.get("HELM", "/work/tools/helm")
DIFYX = os.environ.get("DIFYX", os.path.join(ROOT, "target/debug/difyx"))
UPSTREAM = os.environ.get("UPSTREAM", "/work/shared/upstream")
CONFORMANCE = os.environ.get("CONFORMANCE", "/work/shared/conformance-versions")
VERSIONS = "0.27.0 0.28.0 0.28.1 0.29.0 0.30.0 0.31.0 0.32.0 0.33.0 0.34.0 0.35.0 0.36.0 0.37.0 0.38.0-rc2".split()

E = {"enabled": True}
API_KEYS = ("SECRET_KEY CODE_EXECUTION_API_KEY DB_USERNAME DB_PASSWORD REDIS_USERNAME REDIS_PASSWORD "
            "CELERY_BROKER_URL WEAVIATE_API_KEY QDRANT_API_KEY OPENSEARCH_USERNAME OPENSEARCH_PASSWORD "
            "RESEND_API_KEY RESEND_FROM_EMAIL SENDGRID_API_KEY SENDGRID_FROM_EMAIL AWS_ACCESS_KEY_ID "
            "AWS_SECRET_ACCESS_KEY AZURE_BLOB_ACCOUNT_NAME AZURE_BLOB_ACCOUNT_KEY GOOGLE_CLOUD_STORAGE_BUCKET "
            "PLUGIN_DAEMON_KEY INNER_API_KEY_FOR_PLUGIN S3_ACCESS_KEY S3_SECRET_KEY ELASTICSEARCH_USERNAME "
            "ELASTICSEARCH_PASSWORD OTLP_API_KEY AGENT_BACKEND_API_TOKEN").split()
PD_KEYS = ("DB_USERNAME DB_PASSWORD REDIS_USERNAME REDIS_PASSWORD SERVER_KEY DIFY_INNER_API_KEY AWS_ACCESS_KEY_ID "
           "AWS_SECRET_ACCESS_KEY AZURE_BLOB_ACCOUNT_NAME AZURE_BLOB_ACCOUNT_KEY GOOGLE_CLOUD_STORAGE_BUCKET "
           "ELASTICSEARCH_USERNAME ELASTICSEARCH_PASSWORD").split()
AB_KEYS = ("REDIS_USERNAME REDIS_PASSWORD DIFY_AGENT_API_TOKEN DIFY_AGENT_SERVER_SECRET_KEY "
           "DIFY_AGENT_SHELLCTL_AUTH_TOKEN DIFY_AGENT_PLUGIN_DAEMON_API_KEY DIFY_AGENT_INNER_API_KEY").split()


def refs(keys, **extra):
    return {k: dict({"key": "v/" + k.lower(), "property": k.lower()}, **extra) for k in reversed(keys)}


def es(**kw):
    return dict({"enabled": True, "host": "es.local", "port": 9243, "username": "u", "password": "p"}, **kw)


ES_REFS = {"ELASTICSEARCH_USERNAME": {"key": "dify/es", "property": "elasticsearch_username"},
           "ELASTICSEARCH_PASSWORD": {"key": "dify/es", "property": "elasticsearch_password"}}
RU = {"REDIS_USERNAME": {"key": "dify/redis", "property": "username"}}
CELERY_U = {"CELERY_BROKER_URL": "redis://{{ .REDIS_USERNAME }}:{{ .REDIS_PASSWORD }}@redis.example:6379/1"}

# name -> (values, expectation). Expectation "same" unless a binding decision
# (CHART-VERSIONS §V) makes difyx differ on purpose: "ours-fails" (difyx must
# fail where Helm renders) or "differs" (both render, differently).
CASES = {
    "eso-on": {"externalSecret": E},
    "eso-css-refresh": {"externalSecret": {"enabled": True, "refreshInterval": "1h30m",
                                           "secretStore": {"name": "vault", "kind": "ClusterSecretStore"},
                                           "api": {"refreshInterval": "5m"}, "sandbox": {"refreshInterval": "2m"}}},
    "refresh-null": {"externalSecret": {"enabled": True, "refreshInterval": None}},
    "ci-eso": {"externalSecret": {"enabled": True, "secretStore": {"name": "vault", "kind": "ClusterSecretStore"},
                                  "api": {"refreshInterval": "1m"}, "worker": {"refreshInterval": "1m"},
                                  "postgresql": {"refreshInterval": "1m"}},
               "postgresql": {"global": {"postgresql": {"auth": {"existingSecret": "postgresql-secret"}}}},
               "redis": {"auth": {"existingSecret": "redis-secret", "password": None}}},
    "ci-eso-external-es": {"externalSecret": {"enabled": True, "api": {"remoteRefs": ES_REFS},
                                              "pluginDaemon": {"remoteRefs": ES_REFS},
                                              "worker": {"remoteRefs": ES_REFS}},
                           "externalElasticsearch": es(), "weaviate": {"enabled": False}},
    "ci-eso-external-pg": {"externalSecret": E, "externalPostgres": {"enabled": True},
                           "postgresql": {"enabled": False}, "redis": {"auth": {"password": None}}},
    "ci-eso-external-redis": {"externalSecret": {"enabled": True, "api": {"remoteRefs": RU, "data": CELERY_U},
                                                 "worker": {"remoteRefs": RU, "data": CELERY_U},
                                                 "pluginDaemon": {"remoteRefs": RU}},
                              "externalRedis": {"enabled": True}, "redis": {"enabled": False}},
    "ci-eso-external-s3": {"externalSecret": E, "redis": {"auth": {"password": ""}},
                           "externalS3": {"enabled": True, "bucketName": {"pluginDaemon": ""}}},
    "ci-eso-all-external": {"externalSecret": {"enabled": True,
                                               "api": {"remoteRefs": dict(RU, **ES_REFS), "data": CELERY_U},
                                               "worker": {"remoteRefs": RU, "data": CELERY_U},
                                               "pluginDaemon": {"remoteRefs": dict(RU, **ES_REFS)},
                                               "agentBackend": {"remoteRefs": RU, "data": {
                                                   "DIFY_AGENT_REDIS_URL": "redis://{{ .REDIS_USERNAME }}:{{ .REDIS_PASSWORD }}@redis.example:6379/2"}}},
                            "externalS3": {"enabled": True}, "externalPostgres": {"enabled": True},
                            "externalRedis": {"enabled": True}, "externalElasticsearch": es(),
                            "postgresql": {"enabled": False}, "redis": {"enabled": False},
                            "weaviate": {"enabled": False}, "pluginDaemon": {"auth": {"serverKey": ""}}},
    "ci-eso-otel": {"externalSecret": E, "api": {"otel": {"enabled": True}}},
    "decoding-global-base64": {"externalSecret": {"enabled": True, "decodingStrategy": "Base64"}},
    "decoding-falsy-per-entry": {"externalSecret": {
        "enabled": True, "decodingStrategy": "",
        "api": {"remoteRefs": {"SECRET_KEY": {"key": "a", "decodingStrategy": "Auto"}}},
        "postgresql": {"remoteRefs": {"replication-password": {"key": "r", "decodingStrategy": "Base64URL"}}}}},
    "decoding-null": {"externalSecret": {"enabled": True, "decodingStrategy": None},
                      "redis": {"auth": {"password": ""}}},
    "decoding-false": {"externalSecret": {"enabled": True, "decodingStrategy": False}},
    "decoding-db-override": {"externalSecret": {
        "enabled": True, "decodingStrategy": "Base64",
        "postgresql": {"remoteRefs": {"replication-password": {"key": "r", "decodingStrategy": "Auto",
                                                               "conversionStrategy": "Unicode", "version": "v1"}}},
        "redis": {"remoteRefs": {"redis-password": {"key": "x", "decodingStrategy": "None"}}}},
        "redis": {"auth": {"password": None}}},
    "decoding-bad": ({"externalSecret": {"enabled": True, "decodingStrategy": "base64"}}, "ours-fails"),
    "es-on": {"externalSecret": E, "externalElasticsearch": es()},
    "es-on-no-refs": {"externalSecret": E, "externalElasticsearch": {"enabled": True}},
    "es-off-with-refs": {"externalSecret": {"enabled": True, "api": {"remoteRefs": ES_REFS},
                                            "pluginDaemon": {"remoteRefs": ES_REFS}}},
    "es-host-quote": {"externalSecret": E, "externalElasticsearch": es(host='a"b\\c: d #e')},
    "es-port-big": {"externalSecret": E, "externalElasticsearch": es(port=65535)},
    "es-host-null": ({"externalSecret": E, "externalElasticsearch": es(host=None)}, "ours-fails"),
    "es-port-million": ({"externalSecret": E, "externalElasticsearch": es(port=1000000)}, "differs"),
    "celery-custom": {"externalSecret": {"enabled": True, "api": {"data": {
        "CELERY_BROKER_URL": "rediss://:{{ .REDIS_PASSWORD }}@r.example:6380/3?ssl_cert_reqs=none"}}}},
    "celery-empty": ({"externalSecret": {"enabled": True, "api": {"data": {"CELERY_BROKER_URL": ""}}}}, "differs"),
    "celery-null": ({"externalSecret": {"enabled": True, "worker": {"data": {"CELERY_BROKER_URL": None}}}},
                    "ours-fails"),
    "celery-hash": ({"externalSecret": {"enabled": True, "api": {"data": {"CELERY_BROKER_URL": "redis://a #x"}}}},
                    "differs"),
    "celery-int": ({"externalSecret": {"enabled": True, "api": {"data": {"CELERY_BROKER_URL": 5}}}},
                   "ours-fails"),
    "celery-legacy-ref": {"externalSecret": {"enabled": True, "api": {"remoteRefs": {
        "CELERY_BROKER_URL": {"key": "dify/redis", "property": "celery_broker_url"}}}}},
    "agent-off": {"externalSecret": E, "agentBackend": {"enabled": False}},
    "local-sandbox-off": {"externalSecret": E, "localSandbox": {"enabled": False}},
    "agent-eso-off": {"externalSecret": {"enabled": True, "agentBackend": {"enabled": False},
                                         "localSandbox": {"enabled": False}}},
    "agent-url-empty": {"externalSecret": {"enabled": True, "agentBackend": {"data": {"DIFY_AGENT_REDIS_URL": ""}}}},
    "agent-no-refs": {"externalSecret": {"enabled": True, "agentBackend": {
        "data": {"DIFY_AGENT_REDIS_URL": None},
        "remoteRefs": {k: None for k in AB_KEYS}}, "localSandbox": {"remoteRefs": {"SHELLCTL_AUTH_TOKEN": None}}}},
    "plugin-daemon-off": {"externalSecret": E, "pluginDaemon": {"enabled": False}},
    "sandbox-off": {"externalSecret": E, "sandbox": {"enabled": False}},
    "weaviate-off": {"externalSecret": E, "weaviate": {"enabled": False}},
    "all-keys": {"externalSecret": {"enabled": True,
                                    "api": {"remoteRefs": refs(API_KEYS)}, "worker": {"remoteRefs": refs(API_KEYS)},
                                    "pluginDaemon": {"remoteRefs": refs(PD_KEYS)},
                                    "agentBackend": {"remoteRefs": refs(AB_KEYS)},
                                    "redis": {"remoteRefs": refs(["redis-password", "other", "a-b"])}},
                 "externalElasticsearch": es(), "redis": {"auth": {"password": ""}}},
    "all-keys-decoding": {"externalSecret": {"enabled": True, "decodingStrategy": "Auto",
                                             "api": {"remoteRefs": refs(API_KEYS, decodingStrategy="Base64URL")},
                                             "agentBackend": {"remoteRefs": refs(AB_KEYS, decodingStrategy="None")}}},
    # Helm's output does not parse (SPEC A1); difyx quotes (D1).
    "hostile-strings": ({"externalSecret": {"enabled": True, "api": {"remoteRefs": {
        "SECRET_KEY": {"key": "#x: y", "property": "a: b"},
        "DB_USERNAME": {"key": "yes", "property": "@at"},
        "DB_PASSWORD": {"key": "k", "property": "{{ x }}"},
        "QDRANT_API_KEY": {"key": "k'q\"", "property": "-1"}}},
        "secretStore": {"name": "1e3", "kind": "SecretStore"}}}, "helm-fails"),
    "release-names": {"externalSecret": E, "nameOverride": "app", "fullnameOverride": None},
    "fullname-override": {"externalSecret": E, "fullnameOverride": "my-dify"},
    "gates-without-refs": {"externalSecret": {"enabled": True, "api": {"remoteRefs": {
        "WEAVIATE_API_KEY": None, "OTLP_API_KEY": None, "AGENT_BACKEND_API_TOKEN": None, "REDIS_PASSWORD": None}}},
        "agentBackend": {"enabled": False}},
    "only-postgresql": {"externalSecret": {"enabled": True, "api": {"enabled": False},
                                           "worker": {"enabled": False}, "pluginDaemon": {"enabled": False},
                                           "sandbox": {"enabled": False}}},
    "eso-off": {},
    # Helm pastes a string port; from 0.30.0 the schema wants an integer.
    # Both need the values helper's work (schema from 0.30.0; subchart defaults):
    # "pending" until then.
    "es-port-string": ({"externalSecret": E, "externalElasticsearch": es(port="9200")}, "pending"),
    "es-host-unicode": {"externalSecret": E, "externalElasticsearch": es(host="h\u00e9te.example")},
    "es-null": {"externalSecret": E, "externalElasticsearch": None},
    "weaviate-null": ({"externalSecret": E, "weaviate": None}, "pending"),
    "data-null": {"externalSecret": {"enabled": True, "api": {"data": None}}},
    "ref-not-a-map": {"externalSecret": {"enabled": True, "api": {"remoteRefs": {"SECRET_KEY": "dify/api"}}}},
    "ref-not-a-map-gated-off": {"externalSecret": {"enabled": True, "api": {"remoteRefs": {
        "WEAVIATE_API_KEY": {"key": "w", "decodingStrategy": "bad"}}}}, "weaviate": {"enabled": False}},
    "celery-template-first": ({"externalSecret": {"enabled": True, "api": {"data": {
        "CELERY_BROKER_URL": "{{ .CELERY }}"}}}}, "helm-fails"),
    "agent-url-int": ({"externalSecret": {"enabled": True, "agentBackend": {"data": {"DIFY_AGENT_REDIS_URL": 5}}}},
                      "ours-fails"),
    "agent-url-template-first": ({"externalSecret": {"enabled": True, "agentBackend": {"data": {
        "DIFY_AGENT_REDIS_URL": "{{ .URL }}"}}}}, "helm-fails"),
    "agent-data-null": {"externalSecret": {"enabled": True, "agentBackend": {"data": None}}},
    "decoding-entry-bad": ({"externalSecret": {"enabled": True, "sandbox": {"remoteRefs": {
        "API_KEY": {"key": "k", "decodingStrategy": 1}}}}}, "ours-fails"),
}


def dump(values):
    return json.dumps(values)  # JSON is YAML


def eso_docs(text):
    """ExternalSecret documents by template, as printed (Source line to next ---)."""
    out = {}
    for part in text.split("---\n")[1:]:
        m = re.match(r"# Source: [^/]+/templates/(\S+-externalsecret\.yaml)\n", part)
        if m:
            out[m.group(1)] = part
    return out


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def helm(version, values_file, release, namespace, extra):
    chart = os.path.join(UPSTREAM, version)
    rc, out, err = run([HELM, "template", release, chart, "-n", namespace, "-f", values_file] + extra)
    if rc != 0:
        return None, err.strip()
    files = sorted(eso_docs(out))
    if not files:
        return {}, ""
    cmd = [HELM, "template", release, chart, "-n", namespace, "-f", values_file] + extra
    for f in files:
        cmd += ["-s", "templates/" + f]
    rc, out, err = run(cmd)
    return (eso_docs(out) if rc == 0 else None), err.strip()


def ours(version, values_file, release, namespace, extra):
    rc, out, err = run([DIFYX, "template", release, "-n", namespace, "--version", version,
                        "-f", values_file, "-s", "templates/*-externalsecret.yaml"] + extra)
    if rc != 0:
        if "could not find template" in err:
            return {}, ""
        return None, err.strip()
    return eso_docs(out), err.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-V", action="append", dest="versions")
    ap.add_argument("-k", dest="only")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    versions = args.versions or VERSIONS
    tmp = tempfile.mkdtemp(prefix="eso-diff-")
    total_bad = 0
    for version in versions:
        cases = []
        for name, spec in CASES.items():
            values, expect = spec if isinstance(spec, tuple) else (spec, "same")
            path = os.path.join(tmp, name + ".yaml")
            with open(path, "w") as f:
                f.write(dump(values))
            cases.append((name, path, "dify", "dify", [], expect))
        cdir = os.path.join(CONFORMANCE, version)
        if os.path.isdir(cdir):
            for case in sorted(os.listdir(cdir)):
                a = open(os.path.join(cdir, case, "args")).read().split()
                release, rest = a[0], a[1:]
                ns = rest[rest.index("-n") + 1] if "-n" in rest else "default"
                extra = [x for i, x in enumerate(rest) if x != "-n" and (i == 0 or rest[i - 1] != "-n")]
                cases.append(("conformance/" + case, os.path.join(cdir, case, "values.yaml"), release, ns, extra, "same"))
        same = intended = both_fail = bad = pending = 0
        for name, path, release, ns, extra, expect in cases:
            if args.only and args.only not in name:
                continue
            h, herr = helm(version, path, release, ns, extra)
            o, oerr = ours(version, path, release, ns, extra)
            if h is not None and o is not None and list(h.items()) == list(o.items()):  # order too
                same += 1
                continue
            if expect == "helm-fails" and h is None and o is not None:
                intended += 1
                continue
            if h is None and o is None:
                both_fail += 1
                if args.v:
                    print(f"  {version} {name}: both fail\n    helm: {herr[:200]}\n    ours: {oerr[:200]}")
                continue
            if expect == "ours-fails" and h is not None and o is None:
                intended += 1
                if args.v:
                    print(f"  {version} {name}: fails as decided: {oerr[:200]}")
                continue
            if expect == "differs" and h is not None and o is not None and h != o:
                intended += 1
                if args.v:
                    for k in sorted(set(h) | set(o)):
                        if h.get(k) != o.get(k):
                            hl = [x for x in (h.get(k) or "").splitlines() if x not in (o.get(k) or "").splitlines()]
                            ol = [x for x in (o.get(k) or "").splitlines() if x not in (h.get(k) or "").splitlines()]
                            print(f"  {version} {name} {k}: differs as decided: helm {hl} ours {ol}")
                continue
            if expect == "pending":
                pending += 1
                print(f"  pending {version} {name}: helm {'OK' if h is not None else herr.splitlines()[-1][:150]}; "
                      f"ours {'OK' if o is not None else oerr.splitlines()[-1][:150]}")
                continue
            bad += 1
            print(f"MISMATCH {version} {name} (expected {expect})")
            if h is None or o is None:
                print(f"    helm: {'OK' if h is not None else herr[:300]}\n    ours: {'OK' if o is not None else oerr[:300]}")
                continue
            import difflib
            for k in sorted(set(h) | set(o)):
                if h.get(k) != o.get(k):
                    print("".join(list(difflib.unified_diff((h.get(k) or "").splitlines(True),
                                                            (o.get(k) or "").splitlines(True),
                                                            "helm/" + k, "difyx/" + k))[:60]))
        n = same + intended + both_fail + bad + pending
        print(f"{version}: {n} configurations: {same} byte-identical, {intended} differ as CHART-VERSIONS §V "
              f"decides, {both_fail} fail in both, {pending} pending on values work, {bad} mismatches")
        total_bad += bad
    sys.exit(1 if total_bad else 0)


if __name__ == "__main__":
    main()
