{#-
  Names, labels and the plain Secret frame, shared by every template.

  Helm's `dify.name` / `dify.fullname`: cut to 63 bytes, then one trailing
  "-" removed. Component suffixes ("-api", ...) are appended afterwards and
  never cut again, as upstream does (SPEC §3).
-#}
{% macro chart_name() -%}
{{ Values.nameOverride | default(Chart.Name) | str | trunc(63) | trim_suffix("-") }}
{%- endmacro %}

{#-
  Helm's fullname logic: `override` cut to 63 bytes, else `name` (or the
  release name alone when it already contains `name`) after the release name.
-#}
{% macro base_name(override, name) -%}
{% if override -%}
{{ override | str | trunc(63) | trim_suffix("-") }}
{%- else -%}
{% set n = name | str -%}
{{ (Release.Name if n in Release.Name else Release.Name ~ "-" ~ n) | trunc(63) | trim_suffix("-") }}
{%- endif %}
{%- endmacro %}

{% macro fullname() -%}
{{ base_name(Values.fullnameOverride, Values.nameOverride | default(Chart.Name)) }}
{%- endmacro %}

{#- The built-in Redis's fullname, as the Bitnami subchart names it (from 0.36.0). -#}
{% macro redis_fullname() -%}
{{ base_name(Values.redis.fullnameOverride, Values.redis.nameOverride | default("redis")) }}
{%- endmacro %}

{#- The value a bad object name is blamed on. -#}
{% macro fullname_source() -%}
{{ "fullnameOverride" if Values.fullnameOverride else "nameOverride" if Values.nameOverride else "the release name" }}
{%- endmacro %}

{#- `<fullname>-<component>`, checked to be a valid Kubernetes name. -#}
{% macro component_name(component) -%}
{{ (fullname() ~ "-" ~ component) | object_name(fullname_source()) }}
{%- endmacro %}

{#- `key` is the component label's name: the plain Secrets' (0.35.0 on) is a bare `component`. -#}
{% macro labels(component, key="app.kubernetes.io/component") %}
    helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") | trunc(63) | trim_suffix("-") | yaml_value }}
    app.kubernetes.io/name: {{ chart_name() | label_value("nameOverride") | yaml_value }}
    app.kubernetes.io/instance: {{ Release.Name | yaml_value }}
    app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
    app.kubernetes.io/managed-by: {{ Release.Service | yaml_value }}
    {{ key }}: {{ component | yaml_value }}
{%- endmacro %}

{#- A plain Secret; the caller block supplies the data lines. -#}
{% macro secret(component) %}
apiVersion: v1
kind: Secret
metadata:
  name: {{ component_name(component) | yaml_string }}
{% if Features.secret_labels %}
  labels:
{{ labels(component, "component") }}
{% endif %}
type: Opaque
data:
{{ caller() -}}
{% endmacro %}
