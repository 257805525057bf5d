{{/*
What every service chart starts from. A service chart's values.yaml sets what is its own (ports,
database, callers, calls, resources) and may override any of these; a key set there wins even when
it is false or empty. Every key is described in helm/README.md and checked by values.schema.json.
*/}}
{{- define "strata-lib.defaults" -}}
nameOverride: ""
fullnameOverride: ""
component: service
replicaCount: 1
image:
  registry: ""
  repository: ""
  tag: ""
  pullPolicy: IfNotPresent
imagePullSecrets: []
public: false
ports:
  http: 8080
  grpc: 0
  management: 9000
  grpcOnHttp: false
service:
  type: ClusterIP
  annotations: {}
headless: false
database:
  enabled: false
  name: ""
  user: ""
  host: ""
  port: ""
  passwordSecret:
    name: ""
    key: password
kafka:
  bootstrapServers: ""
  securityProtocol: ""
  saslMechanism: ""
  userSecret: ""
  caSecret: ""
  streams: false
oidc:
  enabled: false
  authServerUrl: ""
client:
  enabled: false
  secret:
    name: ""
    key: client-secret
tracing:
  enabled: false
  endpoint: ""
calls: []
callers: []
config: {}
env: []
jvm:
  maxRamPercentage: 70
  options: ""
resources:
  requests:
    cpu: 250m
    memory: 512Mi
  limits:
    cpu: "2"
    memory: 512Mi
probes:
  startup:
    periodSeconds: 5
    failureThreshold: 60
  liveness:
    periodSeconds: 10
    failureThreshold: 3
    timeoutSeconds: 3
  readiness:
    periodSeconds: 5
    failureThreshold: 3
    timeoutSeconds: 3
terminationGracePeriodSeconds: 30
autoscaling:
  enabled: false
  minReplicas: 2
  maxReplicas: 6
  targetCPUUtilizationPercentage: 70
podDisruptionBudget:
  enabled: true
  maxUnavailable: 1
topologySpread:
  enabled: true
  maxSkew: 1
  whenUnsatisfiable: ScheduleAnyway
  topologyKeys:
    - topology.kubernetes.io/zone
    - kubernetes.io/hostname
networkPolicy:
  enabled: false
  publicFrom: []
  metricsFrom: []
serviceMonitor:
  enabled: false
  interval: 30s
  labels: {}
ingress:
  enabled: false
  className: ""
  host: ""
  path: /
  annotations: {}
  tls: []
httpRoute:
  enabled: false
  parentRefs: []
  hostnames: []
persistence:
  enabled: false
  mountPath: ""
  size: 1Gi
  storageClass: ""
writablePaths:
  - /tmp
scratchSizeLimit: 512Mi
serviceAccount:
  create: true
  name: ""
  annotations: {}
  automount: false
podAnnotations: {}
podLabels: {}
nodeSelector: {}
tolerations: []
affinity: {}
podSecurityContext:
  runAsNonRoot: true
  runAsUser: 185
  runAsGroup: 185
  fsGroup: 185
  seccompProfile:
    type: RuntimeDefault
securityContext:
  runAsNonRoot: true
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop:
      - ALL
{{- end -}}

{{/*
(list defaults values): the values over the defaults, map by map. A key present in the values
wins even when false, zero or empty (sprig's merge functions would let the default win there).
*/}}
{{- define "strata-lib.overlay" -}}
{{- $defaults := index . 0 -}}
{{- $values := index . 1 -}}
{{- $out := deepCopy $defaults -}}
{{- range $key, $value := $values -}}
{{- if and (kindIs "map" $value) (kindIs "map" (index $defaults $key)) -}}
{{- $_ := set $out $key (include "strata-lib.overlay" (list (index $defaults $key) $value) | fromYaml) -}}
{{- else -}}
{{- $_ := set $out $key $value -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}
