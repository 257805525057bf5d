{{- define "strata-lib.serviceaccount" -}}
{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "strata-lib.serviceAccountName" . }}
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: {{ .Values.serviceAccount.automount }}
{{- end }}
{{- end -}}

{{/*
Two Services: the API (the public port of gateway and ingestion-service, the gRPC API of the
others) and "-internal" (a separate gRPC port, and the management port for metrics), never exposed.
*/}}
{{- define "strata-lib.services" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "strata-lib.fullname" . }}
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
  {{- with .Values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ ternary .Values.service.type "ClusterIP" .Values.public }}
  selector:
    {{- include "strata-lib.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.ports.http }}
      targetPort: http
      protocol: TCP
      {{- if .Values.ports.grpcOnHttp }}
      appProtocol: kubernetes.io/h2c
      {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ include "strata-lib.fullname" . }}-internal
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
    strata.io/endpoint: internal
spec:
  type: ClusterIP
  selector:
    {{- include "strata-lib.selectorLabels" . | nindent 4 }}
  ports:
    {{- if and .Values.ports.grpc (ne (int .Values.ports.grpc) (int .Values.ports.http)) }}
    - name: grpc
      port: {{ .Values.ports.grpc }}
      targetPort: grpc
      protocol: TCP
      appProtocol: kubernetes.io/h2c
    {{- end }}
    - name: management
      port: {{ .Values.ports.management }}
      targetPort: management
      protocol: TCP
{{- if or .Values.persistence.enabled .Values.headless }}
---
# every pod by name: the StatefulSet's identity, and the replicas' addresses for one another
apiVersion: v1
kind: Service
metadata:
  name: {{ include "strata-lib.fullname" . }}-pods
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector:
    {{- include "strata-lib.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.ports.http }}
      targetPort: http
      protocol: TCP
{{- end }}
{{- end -}}

{{- define "strata-lib.hpa" -}}
{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "strata-lib.fullname" . }}
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: {{ ternary "StatefulSet" "Deployment" .Values.persistence.enabled }}
    name: {{ include "strata-lib.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end -}}

{{- define "strata-lib.pdb" -}}
{{- if .Values.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "strata-lib.fullname" . }}
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "strata-lib.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{/*
Who may connect: anyone to the public port of gateway and ingestion-service (or publicFrom), the
callers the architecture names to the API and gRPC ports, the scrapers (metricsFrom) to the
management port. Nothing else.
*/}}
{{- define "strata-lib.networkpolicy" -}}
{{- if ((.Values.networkPolicy).enabled | default (((.Values.global).networkPolicy).enabled)) }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "strata-lib.fullname" . }}
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "strata-lib.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
  ingress:
    {{- if .Values.public }}
    - ports:
        - port: http
          protocol: TCP
      {{- with .Values.networkPolicy.publicFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- if .Values.callers }}
    - from:
        {{- range .Values.callers }}
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ . }}
              app.kubernetes.io/instance: {{ $.Release.Name }}
        {{- end }}
      ports:
        {{- if not .Values.public }}
        - port: http
          protocol: TCP
        {{- end }}
        {{- if and .Values.ports.grpc (ne (int .Values.ports.grpc) (int .Values.ports.http)) }}
        - port: grpc
          protocol: TCP
        {{- end }}
    {{- end }}
    - from:
        {{- toYaml (.Values.networkPolicy.metricsFrom | default (((.Values.global).networkPolicy).metricsFrom)) | nindent 8 }}
      ports:
        - port: management
          protocol: TCP
{{- end }}
{{- end -}}

{{- define "strata-lib.servicemonitor" -}}
{{- if (.Values.serviceMonitor.enabled | default (((.Values.global).serviceMonitor).enabled)) }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "strata-lib.fullname" . }}
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
    {{- with .Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "strata-lib.selectorLabels" . | nindent 6 }}
      strata.io/endpoint: internal
  endpoints:
    - port: management
      path: /q/metrics
      interval: {{ .Values.serviceMonitor.interval }}
{{- end }}
{{- end -}}

{{- define "strata-lib.ingress" -}}
{{- if and .Values.public .Values.ingress.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "strata-lib.fullname" . }}
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
  {{- with .Values.ingress.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with .Values.ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- with .Values.ingress.tls }}
  tls:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    - host: {{ required (printf "%s: ingress.host is required when the ingress is enabled" .Chart.Name) .Values.ingress.host | quote }}
      http:
        paths:
          - path: {{ .Values.ingress.path }}
            pathType: Prefix
            backend:
              service:
                name: {{ include "strata-lib.fullname" . }}
                port:
                  name: http
{{- end }}
{{- end -}}

{{- define "strata-lib.httproute" -}}
{{- if and .Values.public .Values.httpRoute.enabled }}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ include "strata-lib.fullname" . }}
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
spec:
  parentRefs:
    {{- required (printf "%s: httpRoute.parentRefs is required when the route is enabled" .Chart.Name) .Values.httpRoute.parentRefs | toYaml | nindent 4 }}
  {{- with .Values.httpRoute.hostnames }}
  hostnames:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: {{ .Values.ingress.path }}
      backendRefs:
        - name: {{ include "strata-lib.fullname" . }}
          port: {{ .Values.ports.http }}
{{- end }}
{{- end -}}

{{/* Everything of one service: a service chart's only template includes this. */}}
{{- define "strata-lib.service" -}}
{{- $values := include "strata-lib.overlay" (list (include "strata-lib.defaults" . | fromYaml) .Values) | fromYaml -}}
{{- $_ := set $values "global" (.Values.global | default dict) -}}
{{- $ctx := dict "Values" $values "Chart" .Chart "Release" .Release "Capabilities" .Capabilities "Template" .Template "Files" .Files -}}
{{- $parts := list "strata-lib.serviceaccount" "strata-lib.configmap" "strata-lib.services" "strata-lib.workload" "strata-lib.hpa" "strata-lib.pdb" "strata-lib.networkpolicy" "strata-lib.servicemonitor" "strata-lib.ingress" "strata-lib.httproute" -}}
{{- range $parts }}
{{- $out := include . $ctx | trim }}
{{- if $out }}
---
{{ $out }}
{{- end }}
{{- end }}
{{- end -}}
