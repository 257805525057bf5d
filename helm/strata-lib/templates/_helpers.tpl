{{/*
Names, labels and the values every service chart shares. A service chart's templates/ holds one
file that includes "strata-lib.service"; everything it renders comes from here.
*/}}

{{- define "strata-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "strata-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "strata-lib.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "strata-lib.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The name another service of the same release is reachable under (its Service). */}}
{{- define "strata-lib.peer" -}}
{{- $ctx := index . 0 -}}
{{- $name := index . 1 -}}
{{- if contains $name $ctx.Release.Name -}}
{{- $ctx.Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" $ctx.Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "strata-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "strata-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "strata-lib.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "strata-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: {{ .Values.component | default "service" }}
app.kubernetes.io/part-of: strata
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "strata-lib.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "strata-lib.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* registry/repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "strata-lib.image" -}}
{{- $registry := .Values.image.registry | default ((.Values.global).imageRegistry) | default "" -}}
{{- $repository := .Values.image.repository | default (printf "strata/%s" .Chart.Name) -}}
{{- $tag := .Values.image.tag | default ((.Values.global).imageTag) | default .Chart.AppVersion -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{/* A value of the chart, else of global, else the default: (list . "kafka" "bootstrapServers" "default"). */}}
{{- define "strata-lib.setting" -}}
{{- $ctx := index . 0 -}}
{{- $section := index . 1 -}}
{{- $key := index . 2 -}}
{{- $local := index (index $ctx.Values $section | default dict) $key -}}
{{- $global := index ((index ($ctx.Values.global | default dict) $section) | default dict) $key -}}
{{- coalesce $local $global (index . 3) -}}
{{- end -}}

{{/* The Kafka user's Secret (SCRAM: its sasl.jaas.config key), named after the service unless set. */}}
{{- define "strata-lib.kafkaUserSecret" -}}
{{- .Values.kafka.userSecret | default (printf "%s%s" (((.Values.global).kafka).userSecretPrefix | default "") .Chart.Name) -}}
{{- end -}}
