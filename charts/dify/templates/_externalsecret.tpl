{#-
  ExternalSecrets (SPEC §4; CHART-VERSIONS B, D, L, M). One shape for all;
  the services differ in which remote references they select and what goes
  into target.template.data. `Features.eso_v2` (0.28.0 on) switches the
  refresh interval to the global one and the remoteRef items to the long
  form.
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
  One spec.data item. From 0.28.0 the entry's decodingStrategy, else the
  global one, else none; conversionStrategy and metadataPolicy are constant.
-#}
{% macro remote_ref(key, ref) %}
    - secretKey: {{ key | yaml_value }}
      remoteRef:
        key: {{ ref.key | required | yaml_value }}
{% if ref.property %}
        property: {{ ref.property | yaml_value }}
{% endif %}
{% if Features.eso_v2 %}
{% set decoding = ref.decodingStrategy or Values.externalSecret.decodingStrategy %}
{% if decoding %}
        decodingStrategy: {{ decoding | one_of(["Auto", "Base64", "Base64URL", "None"]) | yaml_value }}
{% endif %}
        conversionStrategy: Default
        metadataPolicy: None
{% endif %}
{% endmacro %}

{#-
  One ExternalSecret. `cfg` is Values.externalSecret.<service>; `spec` the
  rendered spec.data items, `templated` the rendered target.template.data
  lines. Neither gives `data:` null, as upstream.
-#}
{% macro external_secret(component, service, cfg, name, spec, templated) %}
{% if not spec and not templated %}
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
  refreshInterval: {{ (Values.externalSecret if Features.eso_v2 else cfg).refreshInterval | default("1h") | duration | yaml_value }}
  secretStoreRef:
    name: {{ Values.externalSecret.secretStore.name | required | yaml_value }}
    kind: {{ Values.externalSecret.secretStore.kind | one_of(["SecretStore", "ClusterSecretStore"]) | yaml_value }}
  target:
    name: {{ name | yaml_value }}
    creationPolicy: Owner
    template:
      type: Opaque
      data:
{{ templated }}  data:
{{ spec -}}
{% endmacro %}

{#- `KEY: "{{ .KEY }}"`: ESO copies fetched key KEY into the Secret. -#}
{% macro templated_ref(key) %}
        {{ key | yaml_string }}: {{ key | eso_ref | yaml_value }}
{% endmacro %}

{#-
  api, worker, sandbox, plugin-daemon, agent-backend, local-sandbox: a fixed
  list of supported keys, each selected when its remoteRef is truthy and its
  gate (if `gates` names one) is on, in list order (SPEC §4.5, CHART-VERSIONS
  B.3). From 0.28.0, template.data also gets: the `url` key of
  externalSecret.<service>.data (first; always when `url_always`, else only
  when set), REDIS_USERNAME always (before REDIS_PASSWORD), and the
  Elasticsearch settings when `elasticsearch` is on. `fetch_only` keys stay
  out of template.data. A `url` value that is just `{{ .KEY }}` of a key
  not fetched fails here, naming the value (ESO would fail on it).
-#}
{% macro app_external_secret(component, service, supported, gates={}, url=none, url_always=false, fetch_only=[], elasticsearch=false) %}
{% set cfg = Values.externalSecret[service] %}
{{ warn_unsupported(cfg.remoteRefs, supported) -}}
{% set refs = cfg.remoteRefs | pick(supported) %}
{% set spec %}
{% for key, ref in refs if key not in gates or gates[key] %}
{{ remote_ref(key, ref) -}}
{% endfor %}
{% endset %}
{% set fetched %},{% for key, _ in refs if key not in gates or gates[key] %}{{ key }},{% endfor %}{% endset %}
{% set templated %}
{% if url and (url_always or cfg.data[url]) %}
        {{ url }}: {{ cfg.data[url] | yaml_value }}
{% set referenced = cfg.data[url] | str | replace("{{ .", "") | replace(" }}", "") %}
{% if cfg.data[url] | str == "{{ ." ~ referenced ~ " }}" and "," ~ referenced ~ "," not in fetched %}
{{ fail("externalSecret." ~ service ~ ".data." ~ url ~ ": the ESO template refers to " ~ referenced ~ ", which this ExternalSecret does not fetch (it fetches " ~ (fetched | replace(",", " ") | trim or "nothing") ~ ")") }}
{% endif %}
{% endif %}
{% for key in supported if key not in fetch_only %}
{% if Features.eso_v2 and key == "REDIS_PASSWORD" and "REDIS_USERNAME" in supported %}
        REDIS_USERNAME: {{ ("REDIS_USERNAME" | eso_ref if cfg.remoteRefs.REDIS_USERNAME else "") | yaml_value }}
{% endif %}
{% if cfg.remoteRefs[key] and (key not in gates or gates[key]) and not (Features.eso_v2 and key == "REDIS_USERNAME") %}
{{ templated_ref(key) -}}
{% endif %}
{% endfor %}
{% if elasticsearch %}
        VECTOR_STORE: "elasticsearch"
        ELASTICSEARCH_HOST: {{ Values.externalElasticsearch.host | quote }}
        ELASTICSEARCH_PORT: {{ Values.externalElasticsearch.port | port | quote }}
{% endif %}
{% endset %}
{{ external_secret(component, service, cfg, component_name(component), spec, templated) -}}
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
{% set spec %}
{% for key, ref in data %}
{{ remote_ref(key, ref) -}}
{% endfor %}
{% endset %}
{% set templated %}
{% for key, _ in cfg.remoteRefs | pick(templated_keys) %}
{{ templated_ref(key) -}}
{% endfor %}
{% endset %}
{{ external_secret(component, component, cfg, name, spec, templated) -}}
{% endmacro %}
