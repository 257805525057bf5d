{{/*
The service's settings as environment variables: what it reads (application.properties) from the
release's Kafka, PostgreSQL, Keycloak and peers, plus .Values.config (values go through tpl, so a
setting may name another resource of the release). Credentials are never here: see
"strata-lib.secretEnv".
*/}}
{{- define "strata-lib.configData" -}}
LOG_JSON: "true"
JAVA_TOOL_OPTIONS: {{ printf "-XX:MaxRAMPercentage=%v %s" .Values.jvm.maxRamPercentage (.Values.jvm.options | default "") | trim | quote }}
{{- $tracing := or .Values.tracing.enabled (((.Values.global).tracing).enabled) }}
QUARKUS_OTEL_SDK_DISABLED: {{ not $tracing | quote }}
{{- with (coalesce .Values.tracing.endpoint ((.Values.global).tracing).endpoint) }}
QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
KAFKA_BOOTSTRAP_SERVERS: {{ include "strata-lib.setting" (list . "kafka" "bootstrapServers" "strata-kafka-bootstrap:9092") | quote }}
{{- $protocol := include "strata-lib.setting" (list . "kafka" "securityProtocol" "PLAINTEXT") }}
{{- if ne $protocol "PLAINTEXT" }}
KAFKA_SECURITY_PROTOCOL: {{ $protocol | quote }}
{{- if .Values.kafka.streams }}
QUARKUS_KAFKA_STREAMS_SECURITY_PROTOCOL: {{ $protocol | quote }}
{{- end }}
{{- if hasPrefix "SASL" $protocol }}
KAFKA_SASL_MECHANISM: {{ include "strata-lib.setting" (list . "kafka" "saslMechanism" "SCRAM-SHA-512") | quote }}
{{- if .Values.kafka.streams }}
QUARKUS_KAFKA_STREAMS_SASL_MECHANISM: {{ include "strata-lib.setting" (list . "kafka" "saslMechanism" "SCRAM-SHA-512") | quote }}
{{- end }}
{{- end }}
{{- if include "strata-lib.kafkaCaSecret" . }}
KAFKA_SSL_TRUSTSTORE_TYPE: PEM
KAFKA_SSL_TRUSTSTORE_LOCATION: /etc/strata/kafka-ca/ca.crt
{{- if .Values.kafka.streams }}
QUARKUS_KAFKA_STREAMS_SSL_TRUSTSTORE_TYPE: PEM
QUARKUS_KAFKA_STREAMS_SSL_TRUSTSTORE_LOCATION: /etc/strata/kafka-ca/ca.crt
{{- end }}
{{- end }}
{{- end }}
{{- if .Values.database.enabled }}
DB_HOST: {{ include "strata-lib.setting" (list . "database" "host" "strata-postgresql-rw") | quote }}
DB_PORT: {{ include "strata-lib.setting" (list . "database" "port" "5432") | quote }}
DB_NAME: {{ .Values.database.name | quote }}
DB_USER: {{ .Values.database.user | quote }}
{{- end }}
{{- if .Values.oidc.enabled }}
OIDC_AUTH_SERVER_URL: {{ include "strata-lib.setting" (list . "oidc" "authServerUrl" "http://strata-keycloak-service:8080/realms/strata") | quote }}
{{- end }}
{{- $ctx := . }}
{{- range .Values.calls }}
{{ .hostEnv }}: {{ printf "%s%s" (include "strata-lib.peer" (list $ctx .service)) (ternary "-internal" "" (default false .internal)) | quote }}
{{ .portEnv }}: {{ .port | quote }}
{{- end }}
{{- range $key, $value := .Values.config }}
{{ $key }}: {{ tpl (toString $value) $ctx | quote }}
{{- end }}
{{- end -}}

{{/* The Secret holding the Kafka cluster's CA certificate (ca.crt), when the brokers use TLS. */}}
{{- define "strata-lib.kafkaCaSecret" -}}
{{- include "strata-lib.setting" (list . "kafka" "caSecret" "") -}}
{{- end -}}

{{/* Environment variables read from Secrets the platform team (or an operator) made. */}}
{{- define "strata-lib.secretEnv" -}}
{{- if .Values.database.enabled }}
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "%s: database.passwordSecret.name is required (a Secret with the role's password; CloudNativePG makes one per managed role)" .Chart.Name) .Values.database.passwordSecret.name }}
      key: {{ .Values.database.passwordSecret.key }}
{{- end }}
{{- if .Values.client.enabled }}
- name: {{ printf "STRATA_%s_CLIENT_SECRET" (.Chart.Name | upper | replace "-" "_") }}
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "%s: client.secret.name is required (the secret of its Keycloak client strata-%s)" .Chart.Name .Chart.Name) .Values.client.secret.name }}
      key: {{ .Values.client.secret.key }}
{{- end }}
{{- $protocol := include "strata-lib.setting" (list . "kafka" "securityProtocol" "PLAINTEXT") }}
{{- if hasPrefix "SASL" $protocol }}
- name: KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ include "strata-lib.kafkaUserSecret" . }}
      key: sasl.jaas.config
{{- if .Values.kafka.streams }}
- name: QUARKUS_KAFKA_STREAMS_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ include "strata-lib.kafkaUserSecret" . }}
      key: sasl.jaas.config
{{- end }}
{{- end }}
{{- end -}}

{{- define "strata-lib.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "strata-lib.fullname" . }}
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
data:
  {{- include "strata-lib.configData" . | nindent 2 }}
{{- end -}}
