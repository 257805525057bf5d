{{- define "strata-platform.labels" -}}
app.kubernetes.io/part-of: strata
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "strata-platform.storage" -}}
type: persistent-claim
size: {{ .size }}
deleteClaim: false
{{- with .class }}
class: {{ . }}
{{- end }}
{{- end -}}
