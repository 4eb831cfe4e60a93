{#-
  Plain Secret data, block by block (SPEC §5.2-5.3, CHART-VERSIONS R.2).
  Every macro here emits whole lines `  KEY: "<base64>"`; in each block the
  first branch that matches wins. Release differences are `Features` switches.
-#}
{% from "templates/_helpers.tpl" import redis_fullname %}

{#- `global_key`: from 0.35.0 a falsy value falls back to `global.<global_key>`. -#}
{% macro entry(key, value, global_key=none) %}
  {{ key }}: {{ (value | default(Values.global[global_key]) if global_key and Features.global_fallbacks else value) | b64enc | quote }}
{% endmacro %}

{% macro db() %}
{% if Values.externalPostgres.enabled %}
{{ entry("DB_USERNAME", Values.externalPostgres.username) -}}
{{ entry("DB_PASSWORD", Values.externalPostgres.password) -}}
{% elif Features.external_mysql and Values.externalMysql.enabled %}
{{ entry("DB_USERNAME", Values.externalMysql.username) -}}
{{ entry("DB_PASSWORD", Values.externalMysql.password) -}}
{% elif Values.postgresql.enabled and Values.postgresql.global.postgresql.auth %}
{% set auth = Values.postgresql.global.postgresql.auth %}
{% if auth.username %}
{{ entry("DB_USERNAME", auth.username) -}}
{{ entry("DB_PASSWORD", auth.password) -}}
{% else %}
{{ entry("DB_USERNAME", "postgres") -}}
{{ entry("DB_PASSWORD", auth.postgresPassword) -}}
{% endif %}
{% endif %}
{% endmacro %}

{#- With Sentinel (0.31.0 on) the Sentinel password follows. -#}
{% macro redis() %}
{% if Values.externalRedis.enabled %}
{{ entry("REDIS_USERNAME", Values.externalRedis.username) -}}
{{ entry("REDIS_PASSWORD", Values.externalRedis.password) -}}
{% if Features.redis_sentinel and Values.externalRedis.sentinel.enabled %}
{{ entry("REDIS_SENTINEL_PASSWORD", Values.externalRedis.sentinel.password) -}}
{% endif %}
{% elif Values.redis.enabled %}
{{ entry("REDIS_USERNAME", "") -}}
{{ entry("REDIS_PASSWORD", Values.redis.auth.password) -}}
{% if Features.redis_sentinel and Values.redis.sentinel.enabled %}
{{ entry("REDIS_SENTINEL_PASSWORD", Values.redis.auth.password) -}}
{% endif %}
{% endif %}
{% endmacro %}

{#-
  `key` ← the URL of Redis database `db` ("celery": the Celery broker, db 1
  on the built-in Redis; "agent": db 2). User and password go in unescaped,
  as upstream does.
-#}
{% macro redis_url(key, db) %}
{% set celery = db == "celery" %}
{% if Values.externalRedis.enabled %}
{% set r = Values.externalRedis %}
{% set index = r.db[db] if Features.celery_db_index or not celery else "1" %}
{{ warn_url_reserved(r.username) }}{{ warn_url_reserved(r.password) -}}
{% if Features.redis_sentinel and r.sentinel.enabled %}
{% set url %}{% for s in r.sentinel.sentinels | items %}{{ ";" if not loop.first }}sentinel://:{{ r.password | str }}@{{ s | str }}/{{ index | port("a database number") }}{% endfor %}{% endset %}
{{ sentinel_entries(key, url, "externalRedis.sentinel.sentinels", celery, r.sentinel.password) -}}
{% else %}
{{ entry(key, ("rediss" if r.useSSL else "redis") ~ "://" ~ r.username | str ~ ":" ~ r.password | str ~ "@" ~ r.host | str ~ ":" ~ r.port | port ~ "/" ~ index | port("a database number")) -}}
{% endif %}
{% elif Values.redis.enabled %}
{% set host = redis_fullname() if Features.redis_fullname else Release.Name ~ "-redis" %}
{% set password = Values.redis.auth.password | str %}
{{ warn_url_reserved(Values.redis.auth.password) -}}
{% if Features.redis_sentinel and Values.redis.sentinel.enabled %}
{% set port = Values.redis.sentinel.service.ports.sentinel | int %}
{% set url %}{% for i in Values.redis.replica.replicaCount | until %}{{ ";" if not loop.first }}sentinel://:{{ password }}@{{ host }}-node-{{ i }}.{{ host }}-headless.{{ Release.Namespace }}.svc.cluster.local:{{ port }}/{{ 1 if celery else 2 }}{% endfor %}{% endset %}
{{ sentinel_entries(key, url, "redis.replica.replicaCount", celery, Values.redis.auth.password) -}}
{% else %}
{{ entry(key, "redis://:" ~ password ~ "@" ~ host ~ "-master:" ~ Values.redis.master.service.ports.redis | port ~ "/" ~ (1 if celery else 2)) -}}
{% endif %}
{% endif %}
{% endmacro %}

{#- A Sentinel URL list (empty as upstream renders it, with a warning); Celery's comes with the Sentinel password. -#}
{% macro sentinel_entries(key, url, source, celery, password) %}
{% if not url %}
{{ warn(source, " gives no Sentinel node, so ", key, " is empty (as upstream renders it)") -}}
{% endif %}
{{ entry(key, url) -}}
{% if celery %}
{{ entry("CELERY_SENTINEL_PASSWORD", password) -}}
{% endif %}
{% endmacro %}

{#-
  Object storage for api and worker. From 0.28.0 the S3 keys need ESO off
  globally, and without them the chain falls through; from 0.38.0-rc2 S3
  ends the chain, its keys also need `useIAM` off.
-#}
{% macro storage(component) %}
{% if Values.externalS3.enabled and (Features.s3_use_iam or not (Features.s3_eso_gate and Values.externalSecret.enabled)) %}
{% if not (Features.s3_use_iam and (Values.externalSecret.enabled or Values.externalS3.useIAM)) %}
{{ entry("S3_ACCESS_KEY", Values.externalS3.accessKey) -}}
{{ entry("S3_SECRET_KEY", Values.externalS3.secretKey) -}}
{% endif %}
{% elif Values.externalAzureBlobStorage.enabled %}
{{ entry("AZURE_BLOB_ACCOUNT_KEY", Values.externalAzureBlobStorage.key) -}}
{% elif Values.externalOSS.enabled %}
{{ entry("ALIYUN_OSS_ACCESS_KEY", Values.externalOSS.accessKey) -}}
{{ entry("ALIYUN_OSS_SECRET_KEY", Values.externalOSS.secretKey) -}}
{% elif Values.externalGCS.enabled %}
{{ entry("GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64", Values.externalGCS.serviceAccountJsonBase64) -}}
{% elif Values.externalCOS.enabled %}
{{ entry("TENCENT_COS_SECRET_KEY", Values.externalCOS.secretKey) -}}
{% elif Values.externalOBS.enabled %}
{{ entry("HUAWEI_OBS_ACCESS_KEY", Values.externalOBS.accessKey) -}}
{{ entry("HUAWEI_OBS_SECRET_KEY", Values.externalOBS.secretKey) -}}
{% elif Values.externalTOS.enabled %}
{{ entry("VOLCENGINE_TOS_SECRET_KEY", Values.externalTOS.secretKey) -}}
{% endif %}
{% endmacro %}

{#-
  Object storage for the plugin daemon: a provider counts only with a plugin
  bucket, except Azure (0.30.0 on), which needs none.
-#}
{% macro plugin_storage() %}
{% if Values.externalS3.enabled and Values.externalS3.bucketName.pluginDaemon %}
{% if not (Features.s3_use_iam and Values.externalS3.useIAM) %}
{{ entry("AWS_ACCESS_KEY", Values.externalS3.accessKey) -}}
{{ entry("AWS_SECRET_KEY", Values.externalS3.secretKey) -}}
{% endif %}
{% elif Features.plugin_azure and Values.externalAzureBlobStorage.enabled %}
{% set a = Values.externalAzureBlobStorage %}
{% if Features.azure_r2_fail and a.url is has_suffix(".r2.cloudflarestorage.com") %}
{{ fail("externalAzureBlobStorage.url: Cloudflare R2 is not supported with externalAzureBlobStorage in this chart version; use externalS3 for Cloudflare R2") }}
{% endif %}
{% set protocol = "https" if a.url is has_prefix("https://") else "http" if a.url is has_prefix("http://") else fail("externalAzureBlobStorage.url: must start with http:// or https://, got " ~ a.url | quote) %}
{{ entry("AZURE_BLOB_STORAGE_CONNECTION_STRING", "DefaultEndpointsProtocol=" ~ protocol ~ ";AccountName=" ~ a.account | str ~ ";AccountKey=" ~ a.key | str ~ ";BlobEndpoint=" ~ a.url | str ~ ";") -}}
{% elif Values.externalOSS.enabled and Values.externalOSS.bucketName.pluginDaemon %}
{{ entry("ALIYUN_OSS_ACCESS_KEY_SECRET", Values.externalOSS.secretKey) -}}
{% elif Values.externalGCS.enabled and Values.externalGCS.bucketName.pluginDaemon %}
{{ entry("GCS_CREDENTIALS", Values.externalGCS.serviceAccountJsonBase64) -}}
{% elif Values.externalCOS.enabled and Values.externalCOS.bucketName.pluginDaemon %}
{{ entry("TENCENT_COS_SECRET_KEY", Values.externalCOS.secretKey) -}}
{% elif Values.externalOBS.enabled and Values.externalOBS.bucketName.pluginDaemon %}
{{ entry("HUAWEI_OBS_SECRET_KEY", Values.externalOBS.secretKey) -}}
{% elif Values.externalTOS.enabled and Values.externalTOS.bucketName.pluginDaemon %}
{{ entry("VOLCENGINE_TOS_SECRET_KEY" if Features.tos_plugin_key_renamed else "PLUGIN_VOLCENGINE_TOS_SECRET_KEY", Values.externalTOS.secretKey) -}}
{% endif %}
{% endmacro %}

{% macro vector() %}
{% if Values.externalWeaviate.enabled %}
{{ entry("WEAVIATE_API_KEY", Values.externalWeaviate.apiKey) -}}
{% elif Values.externalQdrant.enabled %}
{{ entry("QDRANT_API_KEY", Values.externalQdrant.apiKey) -}}
{% elif Values.externalMilvus.enabled %}
{{ entry("MILVUS_TOKEN", Values.externalMilvus.token) -}}
{{ entry("MILVUS_USER", Values.externalMilvus.user) -}}
{{ entry("MILVUS_PASSWORD", Values.externalMilvus.password) -}}
{% elif Values.externalPgvector.enabled %}
{{ entry("PGVECTOR_USER", Values.externalPgvector.username) -}}
{{ entry("PGVECTOR_PASSWORD", Values.externalPgvector.password) -}}
{% elif Values.externalTencentVectorDB.enabled %}
{{ entry("TENCENT_VECTOR_DB_USERNAME", Values.externalTencentVectorDB.username) -}}
{{ entry("TENCENT_VECTOR_DB_API_KEY", Values.externalTencentVectorDB.apiKey) -}}
{% elif Values.externalMyScaleDB.enabled %}
{% if Values.externalMyScaleDB.username is null and Values.externalMyScaleDB.user %}
{{ fail("externalMyScaleDB.username: expected a string, got null (externalMyScaleDB.user is set, but the chart reads externalMyScaleDB.username: set that instead)") }}
{% endif %}
{{ entry("MYSCALE_USER", Values.externalMyScaleDB.username) -}}
{{ entry("MYSCALE_PASSWORD", Values.externalMyScaleDB.password) -}}
{% elif Values.externalTableStore.enabled %}
{{ entry("TABLESTORE_ACCESS_KEY_ID", Values.externalTableStore.accessKeyId) -}}
{{ entry("TABLESTORE_ACCESS_KEY_SECRET", Values.externalTableStore.accessKeySecret) -}}
{% elif Features.es_vector and Values.externalElasticsearch.enabled %}
{{ entry("ELASTICSEARCH_USERNAME", Values.externalElasticsearch.username) -}}
{{ entry("ELASTICSEARCH_PASSWORD", Values.externalElasticsearch.password) -}}
{% elif Values.weaviate.enabled and Values.weaviate.authentication.apikey %}
{#- Upstream ignores apikey.enabled: a non-empty apikey map is enough. #}
{{ entry("WEAVIATE_API_KEY", Values.weaviate.authentication.apikey.allowed_keys | first) -}}
{% endif %}
{% endmacro %}

{% macro mail() %}
{% if Values.api.mail.type is streq("resend") %}
{{ entry("RESEND_API_KEY", Values.api.mail.resend.apiKey) -}}
{% elif Values.api.mail.type is streq("smtp") %}
{{ entry("SMTP_USERNAME", Values.api.mail.smtp.username) -}}
{{ entry("SMTP_PASSWORD", Values.api.mail.smtp.password) -}}
{% endif %}
{% endmacro %}

{#- Everything the api Secret holds; the worker's is the same, with CODE_EXECUTION_API_KEY from 0.37.0. -#}
{% macro app_data(component, code_execution) %}
{{ entry("SECRET_KEY", Values.global.appSecretKey if Features.secret_key_global_only else Values.api.secretKey, "appSecretKey") -}}
{% if code_execution and Values.sandbox.enabled %}
{{ entry("CODE_EXECUTION_API_KEY", Values.sandbox.auth.apiKey, "internalApiKey") -}}
{% endif %}
{{ db() -}}
{{ redis() -}}
{{ redis_url("CELERY_BROKER_URL", "celery") -}}
{{ storage(component) -}}
{{ vector() -}}
{{ mail() -}}
{% if Values.pluginDaemon.enabled %}
{{ entry("PLUGIN_DAEMON_KEY", Values.pluginDaemon.auth.serverKey, "internalApiKey") -}}
{{ entry("INNER_API_KEY_FOR_PLUGIN", Values.api.auth.internalApiKey if Features.agent_backend else Values.pluginDaemon.auth.difyApiKey, "internalApiKey") -}}
{% endif %}
{% if Features.agent_backend and Values.agentBackend.enabled %}
{{ entry("AGENT_BACKEND_API_TOKEN", Values.agentBackend.auth.apiToken, "internalApiKey") -}}
{% endif %}
{% if Features.otlp and Values.api.otel.enabled and not Values.externalSecret.enabled %}
{{ entry("OTLP_API_KEY", Values.api.otel.apiKey) -}}
{% endif %}
{% endmacro %}

{#- The agent backend's Secret (0.38.0-rc2 on); no REDIS_* keys, unlike the api's. -#}
{% macro agent_backend_data() %}
{{ redis_url("DIFY_AGENT_REDIS_URL", "agent") -}}
{% if Values.pluginDaemon.enabled %}
{{ entry("DIFY_AGENT_PLUGIN_DAEMON_API_KEY", Values.pluginDaemon.auth.serverKey, "internalApiKey") -}}
{{ entry("DIFY_AGENT_INNER_API_KEY", Values.api.auth.internalApiKey, "internalApiKey") -}}
{% endif %}
{{ entry("DIFY_AGENT_SHELLCTL_AUTH_TOKEN", Values.agentBackend.auth.shellctlAuthToken) -}}
{{ entry("DIFY_AGENT_SERVER_SECRET_KEY", Values.agentBackend.auth.serverSecretKey) -}}
{{ entry("DIFY_AGENT_API_TOKEN", Values.agentBackend.auth.apiToken, "internalApiKey") -}}
{% endmacro %}
