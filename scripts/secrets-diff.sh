#!/usr/bin/env bash
# Renders many configurations with real Helm (the upstream charts in
# $UPSTREAM/<version>) and with difyx --version <version>, and compares the
# plain Secret documents semantically: names, labels, type and decoded data.
# A configuration agrees when both render equal Secrets or both fail;
# "by design" cases are where CHART-VERSIONS §V makes difyx fail although
# Helm renders garbage (they agree when difyx fails and Helm does not).
#
#   scripts/secrets-diff.sh [VERSION...]      # default: every embedded release
#
# Needs python3 with PyYAML, Helm (HELM, default /work/tools/helm or `helm`)
# and the upstream charts (UPSTREAM, default /work/shared/upstream).
set -euo pipefail
cd "$(dirname "$0")/.."
HELM=${HELM:-$( [ -x /work/tools/helm ] && echo /work/tools/helm || command -v helm )}
UPSTREAM=${UPSTREAM:-/work/shared/upstream}
cargo build -q
export HELM UPSTREAM DIFYX=target/debug/difyx
exec python3 - "$@" <<'PY'
import base64, os, subprocess, sys, tempfile, yaml

HELM, UPSTREAM, DIFYX = os.environ["HELM"], os.environ["UPSTREAM"], os.environ["DIFYX"]
ALL = "0.27.0 0.28.0 0.28.1 0.29.0 0.30.0 0.31.0 0.32.0 0.33.0 0.34.0 0.35.0 0.36.0 0.37.0 0.38.0-rc2".split()
versions = sys.argv[1:] or ALL
idx = ALL.index

SENT = "redis: {sentinel: {enabled: true}, replica: {replicaCount: 2}}"
# (name, values, extra args, design) — design: versions from which difyx
# must fail by design while Helm renders (CHART-VERSIONS §V V7/V8).
CASES = [
    ("defaults", "", [], None),
    ("release-ns", "", ["--name", "rel", "-n", "ns"], None),
    ("eso-on", "externalSecret: {enabled: true}", [], None),
    ("eso-api-off-s3-azure", "externalSecret: {enabled: true, api: {enabled: false}}\nexternalS3: {enabled: true}\nexternalAzureBlobStorage: {enabled: true}", [], None),
    ("eso-worker-off-otel", "externalSecret: {enabled: true, worker: {enabled: false}}\napi: {otel: {enabled: true, apiKey: otk}}", [], None),
    ("eso-pd-off-s3bucket", "externalSecret: {enabled: true, pluginDaemon: {enabled: false}}\nexternalS3: {enabled: true, bucketName: {pluginDaemon: pb}}", [], None),
    ("eso-sandbox-off", "externalSecret: {enabled: true, sandbox: {enabled: false}, agentBackend: {enabled: false}, localSandbox: {enabled: false}}", [], None),
    ("s3", "externalS3: {enabled: true, accessKey: a, secretKey: s}", [], None),
    ("s3-plugin", "externalS3: {enabled: true, bucketName: {pluginDaemon: pb}}", [], None),
    ("s3-iam", "externalS3: {enabled: true, useIAM: true, bucketName: {pluginDaemon: pb}}\nexternalAzureBlobStorage: {enabled: true}", [], None),
    ("s3-azure", "externalS3: {enabled: true}\nexternalAzureBlobStorage: {enabled: true, key: k}", [], None),
    ("azure", "externalAzureBlobStorage: {enabled: true, key: k, account: acc, url: 'http://x.blob'}", [], None),
    ("azure-bad-url", "externalAzureBlobStorage: {enabled: true, url: 'ftp://x'}", [], None),
    ("azure-upper-url", "externalAzureBlobStorage: {enabled: true, url: 'HTTPS://x'}", [], None),
    ("azure-r2", "externalAzureBlobStorage: {enabled: true, url: 'https://a.r2.cloudflarestorage.com'}", [], None),
    ("azure-null-url", "externalAzureBlobStorage: {enabled: true, url: null}", [], None),
    ("azure-null-account", "externalAzureBlobStorage: {enabled: true, account: null}", [], "0.30.0"),
    ("oss", "externalOSS: {enabled: true, bucketName: {pluginDaemon: pb}}", [], None),
    ("gcs", "externalGCS: {enabled: true, serviceAccountJsonBase64: 'eyJhIjoxfQ==', bucketName: {pluginDaemon: pb}}", [], None),
    ("cos", "externalCOS: {enabled: true, bucketName: {pluginDaemon: pb}}", [], None),
    ("obs", "externalOBS: {enabled: true, bucketName: {pluginDaemon: pb}}", [], None),
    ("tos", "externalTOS: {enabled: true, bucketName: {pluginDaemon: pb}}", [], None),
    ("s3-nobucket-oss", "externalS3: {enabled: true}\nexternalOSS: {enabled: true, bucketName: {pluginDaemon: pb}}", [], None),
    ("weaviate-ext", "externalWeaviate: {enabled: true}", [], None),
    ("qdrant", "externalQdrant: {enabled: true}", [], None),
    ("milvus", "externalMilvus: {enabled: true, token: t, user: u, password: p}", [], None),
    ("pgvector", "externalPgvector: {enabled: true}", [], None),
    ("tencent", "externalTencentVectorDB: {enabled: true}", [], None),
    ("myscale", "externalMyScaleDB: {enabled: true, username: me}", [], None),
    ("myscale-default", "externalMyScaleDB: {enabled: true}", [], None),
    ("tablestore", "externalTableStore: {enabled: true}", [], None),
    ("elasticsearch", "externalElasticsearch: {enabled: true, username: eu, password: ep}", [], None),
    ("weaviate-apikey-null", "weaviate: {authentication: {apikey: null}}", [], None),
    ("weaviate-off", "weaviate: {enabled: false}", [], None),
    ("mail-smtp", "api: {mail: {type: smtp}}", [], None),
    ("mail-none", "api: {mail: {type: ''}}", [], None),
    ("pg-ext", "externalPostgres: {enabled: true, username: pu, password: pp}", [], None),
    ("mysql", "externalMysql: {enabled: true}\npostgresql: {enabled: false}", [], None),
    ("mysql-and-pg", "externalMysql: {enabled: true}\nexternalPostgres: {enabled: true}", [], None),
    ("pg-user", "postgresql: {global: {postgresql: {auth: {username: u, password: p}}}}", [], None),
    ("pg-off", "postgresql: {enabled: false}", [], None),
    ("redis-ext", "externalRedis: {enabled: true, username: ru, password: 'p@ss'}", [], None),
    ("redis-ext-ssl-db", "externalRedis: {enabled: true, useSSL: true, db: {celery: 4, agent: 5}}", [], None),
    ("redis-ext-sentinel", "externalRedis: {enabled: true, sentinel: {enabled: true, password: sp}}", [], None),
    ("redis-ext-sentinel-empty", "externalRedis: {enabled: true, sentinel: {enabled: true, sentinels: []}}", [], None),
    ("redis-ext-db-null", "externalRedis: {enabled: true, db: null}", [], None),
    ("redis-ext-celery-absent", "externalRedis: {enabled: true, db: {celery: null}}", [], "0.33.0"),
    ("redis-builtin-sentinel", SENT, ["--name", "rel", "-n", "ns"], None),
    ("redis-builtin-sentinel-0", "redis: {sentinel: {enabled: true}, replica: {replicaCount: 0}}", [], None),
    ("redis-builtin-sentinel-strport", "redis: {sentinel: {enabled: true, service: {ports: {sentinel: '26380'}}}}", [], None),
    ("redis-builtin-sentinel-badport", "redis: {sentinel: {enabled: true, service: {ports: {sentinel: abc}}}}", [], "0.31.0"),
    ("redis-builtin-sentinel-badcount", "redis: {sentinel: {enabled: true}, replica: {replicaCount: two}}", [], None),
    ("redis-nameoverride", "redis: {nameOverride: cache}", ["--name", "rel"], None),
    ("redis-nameoverride-el", "redis: {nameOverride: el}", ["--name", "rel"], None),
    ("redis-fullnameoverride", "redis: {fullnameOverride: 'rc-'}", ["--name", "rel"], None),
    ("redis-fullnameoverride-sentinel", "redis: {fullnameOverride: rc, sentinel: {enabled: true}}", ["--name", "rel"], None),
    ("release-myredis", "", ["--name", "myredis"], None),
    ("fullnameoverride", "fullnameOverride: zz", ["--name", "rel"], None),
    ("nameoverride", "nameOverride: foo", ["--name", "rel"], None),
    ("nameoverride-bad-label", "nameOverride: 'foo--'", ["--name", "rel"], "0.35.0"),
    ("redis-off", "redis: {enabled: false}", [], None),
    ("otel", "api: {otel: {enabled: true, apiKey: otk}}", [], None),
    ("otel-null", "api: {otel: null}", [], None),
    ("plugin-off", "pluginDaemon: {enabled: false}", [], None),
    ("sandbox-off", "sandbox: {enabled: false}", [], None),
    ("agent-off", "agentBackend: {enabled: false}", [], None),
    ("local-sandbox-off", "localSandbox: {enabled: false}", [], None),
    ("global", "global: {appSecretKey: GA, internalApiKey: GI}\napi: {secretKey: '', auth: {internalApiKey: ''}}\nsandbox: {auth: {apiKey: ''}}\npluginDaemon: {auth: {serverKey: '', difyApiKey: ''}}\nagentBackend: {auth: {apiToken: ''}}", [], None),
    ("global-null", "global: null", [], None),
    ("api-secretkey", "api: {secretKey: OWN}", [], None),
    ("sandbox-key-null", "sandbox: {auth: {apiKey: null}}\nglobal: {internalApiKey: G}", [], None),
    ("sandbox-key-null-noglobal", "sandbox: {auth: {apiKey: null}}", [], None),
    ("agent-keys", "agentBackend: {auth: {apiToken: at, serverSecretKey: ss, shellctlAuthToken: sh}}", [], None),
    ("agent-ext-sentinel", "externalRedis: {enabled: true, sentinel: {enabled: true}}\npluginDaemon: {enabled: false}", [], None),
    ("secret-null", "api: {secretKey: null}", [], None),
    ("long-release", "redis: {sentinel: {enabled: true}}", ["--name", "a-very-long-release-name-that-goes-on-and-on-for-ev", "-n", "ns"], None),
    ("redis-long-fullnameoverride", "redis: {fullnameOverride: 'r234567890123456789012345678901234567890123456789012345678901234567890'}", [], None),
    ("redis-sentinel-float-port-1-replica", "redis: {sentinel: {enabled: true, service: {ports: {sentinel: 26379.0}}}, replica: {replicaCount: 1}}", [], None),
    ("redis-empty-password", "redis: {auth: {password: ''}}", [], None),
    ("pg-auth-null", "postgresql: {global: {postgresql: {auth: null}}}", [], None),
    ("azure-http-only", "externalAzureBlobStorage: {enabled: true, url: 'http://'}", [], None),
    ("global-plugin-off", "global: {internalApiKey: GI}\npluginDaemon: {enabled: false, auth: {serverKey: ''}}\nagentBackend: {auth: {apiToken: ''}}", [], None),
    ("eso-on-iam", "externalSecret: {enabled: true, api: {enabled: false}, pluginDaemon: {enabled: false}}\nexternalS3: {enabled: true, useIAM: true, bucketName: {pluginDaemon: pb}}", [], None),
    ("mail-type-number", "api: {mail: {type: 5}}", [], None),
]

def have(version, path):
    out = subprocess.run([DIFYX, "values", "dify", "--version", version, "--set", "redis.enabled=true"],
                         capture_output=True, text=True).stdout
    d = yaml.safe_load(out) or {}
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return False
        d = d[k]
    return True

def render(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "(no message)"
    secrets = {}
    for doc in yaml.safe_load_all(p.stdout):
        if isinstance(doc, dict) and doc.get("kind") == "Secret":
            data = {k: base64.b64decode(v or "").decode("utf-8", "replace") for k, v in (doc.get("data") or {}).items()}
            md = doc.get("metadata", {})
            secrets[md.get("name")] = {"labels": md.get("labels"), "namespace": md.get("namespace"),
                                       "type": doc.get("type"), "data": data}
    return secrets, p.stderr

def compare(a, b):
    out = []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            out.append(f"{name}: only in {'helm' if name in a else 'difyx'}")
            continue
        for field in ("labels", "namespace", "type"):
            if a[name][field] != b[name][field]:
                out.append(f"{name}.{field}: helm {a[name][field]} difyx {b[name][field]}")
        da, db = a[name]["data"], b[name]["data"]
        for k in sorted(set(da) | set(db)):
            if da.get(k) != db.get(k):
                out.append(f"{name}.data.{k}: helm {da.get(k)!r} difyx {db.get(k)!r}")
        if list(da) != list(db) and set(da) == set(db):
            pass  # order is cosmetic
    return out

tmp = tempfile.mkdtemp()
total_bad = 0
for v in versions:
    shim = {}
    if idx(v) >= idx("0.28.0") and not have(v, ["externalElasticsearch"]):
        shim["externalElasticsearch"] = {"enabled": False, "host": "elasticsearch.example.com", "port": 9200, "username": "", "password": ""}
    if idx(v) >= idx("0.31.0") and not have(v, ["redis", "sentinel", "enabled"]):
        shim["redis"] = {"sentinel": {"enabled": False, "masterSet": "mymaster", "service": {"ports": {"sentinel": 26379}}}}
    if idx(v) >= idx("0.38.0-rc2") and not have(v, ["externalSecret", "agentBackend"]):
        shim["externalSecret"] = {"agentBackend": {"enabled": True}, "localSandbox": {"enabled": True}}
    shim_file = os.path.join(tmp, f"shim-{v}.yaml")
    with open(shim_file, "w") as f:
        yaml.safe_dump(shim, f)
    agree, notes, tally = 0, [], {"equal": 0, "both fail": 0, "by design": 0}
    for name, values, extra, design in CASES:
        vf = os.path.join(tmp, f"{name}.yaml")
        with open(vf, "w") as f:
            f.write(values + "\n")
        rel, ns = "dify", "dify"
        if "--name" in extra:
            rel = extra[extra.index("--name") + 1]
        if "-n" in extra:
            ns = extra[extra.index("-n") + 1]
        h, herr = render([HELM, "template", rel, f"{UPSTREAM}/{v}", "-n", ns, "-f", vf])
        d, derr = render([DIFYX, "template", rel, "-n", ns, "--version", v, "-f", shim_file, "-f", vf])
        by_design = design is not None and idx(v) >= idx(design)
        if by_design:
            ok = h is not None and d is None
            why = f"by design difyx must fail: helm {'ok' if h is not None else 'failed'}, difyx {'failed: ' + derr if d is None else 'rendered'}"
        elif h is None or d is None:
            ok = h is None and d is None
            why = f"helm {'failed: ' + herr if h is None else 'ok'} / difyx {'failed: ' + derr if d is None else 'ok'}"
        else:
            diffs = compare(h, d)
            ok = not diffs
            why = "; ".join(diffs[:6])
        if ok:
            agree += 1
            tally["by design" if by_design else "both fail" if h is None else "equal"] += 1
        else:
            notes.append(f"  {name}: {why}")
    total_bad += len(notes)
    print(f"{v}: {agree}/{len(CASES)} configurations agree ({', '.join(f'{n} {k}' for k, n in tally.items())})")
    for n in notes:
        print(n)
sys.exit(1 if total_bad else 0)
PY
