{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "orders-api.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "orders-api.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "orders-api.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "orders-api.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The namespace is part of the chart's contract: never install into default. */}}
{{- define "orders-api.namespace" -}}
{{- $ns := default .Release.Namespace .Values.namespaceOverride -}}
{{- if eq $ns "default" -}}
{{- fail "orders-api must not be installed into the default namespace: set namespaceOverride or --namespace" -}}
{{- end -}}
{{- $ns -}}
{{- end -}}

{{- define "orders-api.selectorLabels" -}}
app.kubernetes.io/name: {{ include "orders-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "orders-api.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "orders-api.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: api
app.kubernetes.io/part-of: shop
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "orders-api.serviceAccountName" -}}
{{- default (include "orders-api.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* Images are always referenced by tag and digest: the tag for people, the digest for the node. */}}
{{- define "orders-api.image" -}}
{{- $img := .image -}}
{{- if not $img.digest -}}
{{- fail (printf "image %s/%s needs a digest" $img.registry $img.repository) -}}
{{- end -}}
{{- printf "%s/%s:%s@%s" $img.registry $img.repository $img.tag $img.digest -}}
{{- end -}}

{{- define "orders-api.configChecksum" -}}
{{- include (print $.Template.BasePath "/configmap.yaml") . | sha256sum -}}
{{- end -}}

{{/* Content-addressed ConfigMap name: a config change is a new object and a new rollout. */}}
{{- define "orders-api.configName" -}}
{{- printf "%s-config-%s" (include "orders-api.fullname" .) (toToml .Values.config | sha256sum | trunc 10) -}}
{{- end -}}
