{#-
  Plain Secret data, block by block (SPEC §5.2-5.3). Every macro here emits
  whole lines `  KEY: "<base64>"`; in each block the first branch that
  matches wins.
-#}
{% macro entry(key, value) %}
  {{ key }}: {{ value | b64enc | quote }}
{% endmacro %}

{% macro db() %}
{% if Values.externalPostgres.enabled %}
{{ entry("DB_USERNAME", Values.externalPostgres.username) -}}
{{ entry("DB_PASSWORD", Values.externalPostgres.password) -}}
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

{% macro redis() %}
{% if Values.externalRedis.enabled %}
{{ entry("REDIS_USERNAME", Values.externalRedis.username) -}}
{{ entry("REDIS_PASSWORD", Values.externalRedis.password) -}}
{% elif Values.redis.enabled %}
{{ entry("REDIS_USERNAME", "") -}}
{{ entry("REDIS_PASSWORD", Values.redis.auth.password) -}}
{% endif %}
{% endmacro %}

{#- The broker URL embeds user and password unescaped, as upstream does. -#}
{% macro celery() %}
{% if Values.externalRedis.enabled %}
{% set r = Values.externalRedis %}
{{ warn_url_reserved(r.username) }}{{ warn_url_reserved(r.password) -}}
{{ entry("CELERY_BROKER_URL", ("rediss" if r.useSSL else "redis") ~ "://" ~ r.username | str ~ ":" ~ r.password | str ~ "@" ~ r.host | str ~ ":" ~ r.port | port ~ "/1") -}}
{% elif Values.redis.enabled %}
{{ warn_url_reserved(Values.redis.auth.password) -}}
{{ entry("CELERY_BROKER_URL", "redis://:" ~ Values.redis.auth.password | str ~ "@" ~ Release.Name ~ "-redis-master:" ~ Values.redis.master.service.ports.redis | port ~ "/1") -}}
{% endif %}
{% endmacro %}

{#- Object storage for api and worker. -#}
{% macro storage() %}
{% if Values.externalS3.enabled %}
{{ entry("S3_ACCESS_KEY", Values.externalS3.accessKey) -}}
{{ entry("S3_SECRET_KEY", Values.externalS3.secretKey) -}}
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

{#- Object storage for the plugin daemon: a provider counts only with a plugin bucket. -#}
{% macro plugin_storage() %}
{% if Values.externalS3.enabled and Values.externalS3.bucketName.pluginDaemon %}
{{ entry("AWS_ACCESS_KEY", Values.externalS3.accessKey) -}}
{{ entry("AWS_SECRET_KEY", Values.externalS3.secretKey) -}}
{% elif Values.externalOSS.enabled and Values.externalOSS.bucketName.pluginDaemon %}
{{ entry("ALIYUN_OSS_ACCESS_KEY_SECRET", Values.externalOSS.secretKey) -}}
{% elif Values.externalGCS.enabled and Values.externalGCS.bucketName.pluginDaemon %}
{{ entry("GCS_CREDENTIALS", Values.externalGCS.serviceAccountJsonBase64) -}}
{% elif Values.externalCOS.enabled and Values.externalCOS.bucketName.pluginDaemon %}
{{ entry("TENCENT_COS_SECRET_KEY", Values.externalCOS.secretKey) -}}
{% elif Values.externalOBS.enabled and Values.externalOBS.bucketName.pluginDaemon %}
{{ entry("HUAWEI_OBS_SECRET_KEY", Values.externalOBS.secretKey) -}}
{% elif Values.externalTOS.enabled and Values.externalTOS.bucketName.pluginDaemon %}
{{ entry("PLUGIN_VOLCENGINE_TOS_SECRET_KEY", Values.externalTOS.secretKey) -}}
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

{#- Everything the api Secret holds; the worker's is the same without CODE_EXECUTION_API_KEY. -#}
{% macro app_data(code_execution) %}
{{ entry("SECRET_KEY", Values.api.secretKey) -}}
{% if code_execution and Values.sandbox.enabled %}
{{ entry("CODE_EXECUTION_API_KEY", Values.sandbox.auth.apiKey) -}}
{% endif %}
{{ db() -}}
{{ redis() -}}
{{ celery() -}}
{{ storage() -}}
{{ vector() -}}
{{ mail() -}}
{% if Values.pluginDaemon.enabled %}
{{ entry("PLUGIN_DAEMON_KEY", Values.pluginDaemon.auth.serverKey) -}}
{{ entry("INNER_API_KEY_FOR_PLUGIN", Values.pluginDaemon.auth.difyApiKey) -}}
{% endif %}
{% endmacro %}
