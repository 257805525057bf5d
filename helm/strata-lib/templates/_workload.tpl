{{/*
The pods: a Deployment, or a StatefulSet with a volume (persistence.enabled) for a service whose
local state is slower to restore than to keep.
*/}}
{{- define "strata-lib.workload" -}}
{{- $stateful := .Values.persistence.enabled -}}
apiVersion: apps/v1
kind: {{ ternary "StatefulSet" "Deployment" $stateful }}
metadata:
  name: {{ include "strata-lib.fullname" . }}
  labels:
    {{- include "strata-lib.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "strata-lib.selectorLabels" . | nindent 6 }}
  {{- if $stateful }}
  serviceName: {{ include "strata-lib.fullname" . }}-pods
  podManagementPolicy: Parallel
  {{- end }}
  template:
    metadata:
      labels:
        {{- include "strata-lib.labels" . | nindent 8 }}
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include "strata-lib.configData" . | sha256sum }}
        {{- with .Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "strata-lib.serviceAccountName" . }}
      automountServiceAccountToken: {{ .Values.serviceAccount.automount }}
      {{- with (coalesce .Values.imagePullSecrets ((.Values.global).imagePullSecrets)) }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
      {{- if .Values.topologySpread.enabled }}
      topologySpreadConstraints:
        {{- range .Values.topologySpread.topologyKeys }}
        - maxSkew: {{ $.Values.topologySpread.maxSkew }}
          topologyKey: {{ . }}
          whenUnsatisfiable: {{ $.Values.topologySpread.whenUnsatisfiable }}
          labelSelector:
            matchLabels:
              {{- include "strata-lib.selectorLabels" $ | nindent 14 }}
        {{- end }}
      {{- end }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .Chart.Name }}
          image: {{ include "strata-lib.image" . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ .Values.ports.http }}
              protocol: TCP
            {{- if and .Values.ports.grpc (ne (int .Values.ports.grpc) (int .Values.ports.http)) }}
            - name: grpc
              containerPort: {{ .Values.ports.grpc }}
              protocol: TCP
            {{- end }}
            - name: management
              containerPort: {{ .Values.ports.management }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "strata-lib.fullname" . }}
          env:
            {{- include "strata-lib.secretEnv" . | trim | nindent 12 }}
            {{- with .Values.env }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          startupProbe:
            httpGet:
              path: /q/health/started
              port: management
            periodSeconds: {{ .Values.probes.startup.periodSeconds }}
            failureThreshold: {{ .Values.probes.startup.failureThreshold }}
          livenessProbe:
            httpGet:
              path: /q/health/live
              port: management
            periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
            failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
            timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
          readinessProbe:
            httpGet:
              path: /q/health/ready
              port: management
            periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
            failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
            timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          volumeMounts:
            {{- range $i, $path := .Values.writablePaths }}
            - name: {{ printf "scratch-%d" $i }}
              mountPath: {{ $path }}
            {{- end }}
            {{- if .Values.persistence.mountPath }}
            - name: state
              mountPath: {{ .Values.persistence.mountPath }}
            {{- end }}
            {{- if include "strata-lib.kafkaCaSecret" . }}
            - name: kafka-ca
              mountPath: /etc/strata/kafka-ca
              readOnly: true
            {{- end }}
      volumes:
        {{- range $i, $path := .Values.writablePaths }}
        - name: {{ printf "scratch-%d" $i }}
          emptyDir:
            sizeLimit: {{ $.Values.scratchSizeLimit }}
        {{- end }}
        {{- if and .Values.persistence.mountPath (not $stateful) }}
        - name: state
          emptyDir:
            sizeLimit: {{ .Values.persistence.size }}
        {{- end }}
        {{- if include "strata-lib.kafkaCaSecret" . }}
        - name: kafka-ca
          secret:
            secretName: {{ include "strata-lib.kafkaCaSecret" . }}
            items:
              - key: ca.crt
                path: ca.crt
        {{- end }}
  {{- if $stateful }}
  volumeClaimTemplates:
    - metadata:
        name: state
        labels:
          {{- include "strata-lib.selectorLabels" . | nindent 10 }}
      spec:
        accessModes: ["ReadWriteOnce"]
        {{- with .Values.persistence.storageClass }}
        storageClassName: {{ . }}
        {{- end }}
        resources:
          requests:
            storage: {{ .Values.persistence.size }}
  {{- end }}
{{- end -}}
