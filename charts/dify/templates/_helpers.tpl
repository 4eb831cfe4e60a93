{#-
  Names, labels and the plain Secret frame, shared by every template.

  Helm's `dify.name` / `dify.fullname`: cut to 63 bytes, then one trailing
  "-" removed. Component suffixes ("-api", ...) are appended afterwards and
  never cut again, as upstream does (SPEC §3).
-#}
{% macro chart_name() -%}
{{ Values.nameOverride | default(Chart.Name) | str | trunc(63) | trim_suffix("-") }}
{%- endmacro %}

{% macro fullname() -%}
{% if Values.fullnameOverride -%}
{{ Values.fullnameOverride | str | trunc(63) | trim_suffix("-") }}
{%- else -%}
{% set base = Values.nameOverride | default(Chart.Name) | str -%}
{{ (Release.Name if base in Release.Name else Release.Name ~ "-" ~ base) | trunc(63) | trim_suffix("-") }}
{%- endif %}
{%- endmacro %}

{#- The value a bad object name is blamed on. -#}
{% macro fullname_source() -%}
{{ "fullnameOverride" if Values.fullnameOverride else "nameOverride" if Values.nameOverride else "the release name" }}
{%- endmacro %}

{#- `<fullname>-<component>`, checked to be a valid Kubernetes name. -#}
{% macro component_name(component) -%}
{{ (fullname() ~ "-" ~ component) | object_name(fullname_source()) }}
{%- endmacro %}

{% macro labels(component) %}
    helm.sh/chart: {{ (Chart.Name ~ "-" ~ Chart.Version) | replace("+", "_") | trunc(63) | trim_suffix("-") | yaml_value }}
    app.kubernetes.io/name: {{ chart_name() | label_value("nameOverride") | yaml_value }}
    app.kubernetes.io/instance: {{ Release.Name | yaml_value }}
    app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
    app.kubernetes.io/managed-by: {{ Release.Service | yaml_value }}
    app.kubernetes.io/component: {{ component | yaml_value }}
{%- endmacro %}

{#- A plain Secret; the caller block supplies the data lines. -#}
{% macro secret(component) %}
apiVersion: v1
kind: Secret
metadata:
  name: {{ component_name(component) | yaml_string }}
type: Opaque
data:
{{ caller() -}}
{% endmacro %}
