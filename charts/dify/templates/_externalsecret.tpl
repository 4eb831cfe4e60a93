{#-
  ExternalSecrets (SPEC §4). One shape for all six; the services differ only
  in which remote references they select.
-#}
{% from "templates/_helpers.tpl" import component_name, fullname_source, labels %}

{#-
  externalSecret.apiVersion; a cluster that serves v1beta1 but not v1
  (`-a external-secrets.io/v1beta1`, ESO older than 0.17) gets v1beta1.
-#}
{% macro api_version() -%}
{% set chosen = Values.externalSecret.apiVersion | default("external-secrets.io/v1") | one_of(["external-secrets.io/v1", "external-secrets.io/v1beta1"]) %}
{% set served = Capabilities.APIVersions %}
{% if chosen == "external-secrets.io/v1" and ("external-secrets.io/v1beta1" in served or "external-secrets.io/v1beta1/ExternalSecret" in served) and not ("external-secrets.io/v1" in served or "external-secrets.io/v1/ExternalSecret" in served) %}
{{ warn("the cluster serves external-secrets.io/v1beta1 but not v1 (-a/--api-versions): rendering ExternalSecrets as external-secrets.io/v1beta1") -}}
external-secrets.io/v1beta1
{%- else -%}
{{ chosen }}
{%- endif %}
{%- endmacro %}

{#-
  One ExternalSecret. `cfg` is Values.externalSecret.<service>; `data` the
  [secretKey, remoteRef] pairs of spec.data; `templated` the pairs whose keys
  go into target.template.data. No entries give `data:` null, as upstream.
-#}
{% macro external_secret(component, cfg, name, data, templated) %}
{% if not data %}
{{ warn(component, " ExternalSecret ", name, " has no data entries: the Secret it creates will be empty") -}}
{% endif %}
apiVersion: {{ api_version() | yaml_value }}
kind: ExternalSecret
metadata:
  name: {{ name | yaml_value }}
  namespace: {{ Release.Namespace | yaml_value }}
  labels:
{{ labels(component) }}
spec:
  refreshInterval: {{ cfg.refreshInterval | default("1h") | duration | yaml_value }}
  secretStoreRef:
    name: {{ Values.externalSecret.secretStore.name | required | yaml_value }}
    kind: {{ Values.externalSecret.secretStore.kind | one_of(["SecretStore", "ClusterSecretStore"]) | yaml_value }}
  target:
    name: {{ name | yaml_value }}
    creationPolicy: Owner
    template:
      type: Opaque
      data:
{% for key, _ in templated %}
        {{ key | yaml_string }}: {{ key | eso_ref | yaml_value }}
{% endfor %}
  data:
{% for key, ref in data %}
    - secretKey: {{ key | yaml_value }}
      remoteRef:
        key: {{ ref.key | required | yaml_value }}
{% if ref.property %}
        property: {{ ref.property | yaml_value }}
{% endif %}
{% endfor %}
{% endmacro %}

{#-
  api, worker, sandbox, plugin-daemon: a fixed list of supported keys, each
  selected when its remoteRef is truthy, in list order (SPEC §4.5).
-#}
{% macro app_external_secret(component, service, supported) %}
{% set cfg = Values.externalSecret[service] %}
{{ warn_unsupported(cfg.remoteRefs, supported) -}}
{% set data = cfg.remoteRefs | pick(supported) %}
{{ external_secret(component, cfg, component_name(component), data, data) -}}
{% endmacro %}

{#-
  postgresql, redis: every remoteRef goes to spec.data, sorted by key; only
  the known keys reach target.template.data (SPEC §4.6).
-#}
{% macro db_external_secret(component, cfg, existing_secret, templated_keys) %}
{% set data = cfg.remoteRefs | entries %}
{% for key, _ in data if key not in templated_keys %}
{{ warn("externalSecret.", component, ".remoteRefs.", key, " is fetched but not written to the Secret: only ", templated_keys | join(", "), " reach target.template.data") -}}
{% endfor %}
{% set name = existing_secret | default(component_name(component)) | object_name(fullname_source()) %}
{{ external_secret(component, cfg, name, data, cfg.remoteRefs | pick(templated_keys)) -}}
{% endmacro %}
