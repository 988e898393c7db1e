{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "little-ecom.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped name prefix; component names append "-<component>", so keep room for it. */}}
{{- define "little-ecom.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The components this chart deploys, in a stable order: the gateway, then the subgraphs. */}}
{{- define "little-ecom.components" -}}
gateway {{ include "little-ecom.subgraphs" . }}
{{- end }}

{{/* Subgraphs only: `subgraphs` in values.yaml, the list of subgraphs.json (helm/test checks they match). */}}
{{- define "little-ecom.subgraphs" -}}
{{- join " " .Values.subgraphs }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "little-ecom.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "little-ecom.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: little-ecom
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of the release's pods (all components). */}}
{{- define "little-ecom.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "little-ecom.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector labels of one component. Call with (dict "root" $ "component" "gateway"). */}}
{{- define "little-ecom.selectorLabels" -}}
{{ include "little-ecom.releaseSelectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of one component. Call with (dict "root" $ "component" "gateway"). */}}
{{- define "little-ecom.componentLabels" -}}
{{ include "little-ecom.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Name of one component's resources. Call with (dict "root" $ "component" "gateway"). */}}
{{- define "little-ecom.componentName" -}}
{{- printf "%s-%s" (include "little-ecom.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* In-cluster base URL of a component's Service. Call with (dict "root" $ "component" "accounts"). */}}
{{- define "little-ecom.componentUrl" -}}
{{- $c := index .root.Values .component -}}
{{- printf "http://%s.%s.svc:%v" (include "little-ecom.componentName" .) .root.Release.Namespace $c.port }}
{{- end }}

{{/* Image reference; tag defaults to the chart appVersion and `latest` is refused. */}}
{{- define "little-ecom.image" -}}
{{- $c := index .root.Values .component -}}
{{- $tag := $c.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion | toString -}}
{{- if eq $tag "latest" }}{{ fail (printf "%s: the image tag `latest` is not allowed; pin a version" .component) }}{{ end -}}
{{- $repo := $c.image.repository -}}
{{- if .root.Values.image.registry }}{{ $repo = printf "%s/%s" (trimSuffix "/" .root.Values.image.registry) $repo }}{{ end -}}
{{- if $c.image.digest }}
{{- printf "%s:%s@%s" $repo $tag $c.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo $tag }}
{{- end }}
{{- end }}

{{/* The Secret the pods read. */}}
{{- define "little-ecom.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "little-ecom.fullname" .)) }}
{{- end }}

{{/* Supergraph SDL: the value, or the copy shipped in the chart. */}}
{{- define "little-ecom.supergraph" -}}
{{- .Values.supergraph | default (.Files.Get "files/supergraph.graphql") }}
{{- end }}

{{/* terminationGracePeriodSeconds: preStop sleep + drain + margin, so a drain is never cut short. */}}
{{- define "little-ecom.terminationGrace" -}}
{{- add .Values.preStopSleepSeconds (div (add .Values.config.shutdownTimeoutMs 999) 1000) .Values.terminationGraceExtraSeconds }}
{{- end }}

{{/* Keys of the release Secret a pod cannot start without: the non-optional secretEnv of enabled components. */}}
{{- define "little-ecom.requiredSecretKeys" -}}
{{- $keys := list }}
{{- range $component := splitList " " (include "little-ecom.components" .) }}
{{- $c := index $.Values $component }}
{{- if $c.enabled }}
{{- range $env, $ref := $c.secretEnv }}
{{- if and (not $ref.name) (not $ref.optional) }}{{ $keys = append $keys $ref.key }}{{ end }}
{{- end }}
{{- end }}
{{- end }}
{{- $keys | uniq | sortAlpha | join " " }}
{{- end }}

{{/* Keys of the release Secret read when present: each turns an integration on (docs/deploy.md §4). */}}
{{- define "little-ecom.optionalSecretKeys" -}}
{{- $keys := list }}
{{- if and .Values.gateway.enabled .Values.gateway.cache.redis.enabled }}{{ $keys = append $keys "redis-url" }}{{ end }}
{{- with .Values.observability.tracing }}
{{- if and .otlpEndpoint .headersSecretKey }}{{ $keys = append $keys .headersSecretKey }}{{ end }}
{{- end }}
{{- range $component := splitList " " (include "little-ecom.components" .) }}
{{- $c := index $.Values $component }}
{{- if $c.enabled }}
{{- range $env, $ref := $c.secretEnv }}
{{- if and (not $ref.name) $ref.optional }}{{ $keys = append $keys $ref.key }}{{ end }}
{{- end }}
{{- end }}
{{- end }}
{{- $keys | uniq | sortAlpha | join " " }}
{{- end }}

{{/* Fails the render when a public route's paths would reach /metrics (or /healthz, /readyz): those are for the cluster only. */}}
{{- define "little-ecom.noPublicMetrics" -}}
{{- range . }}
{{- $type := .pathType | default .type | default "Prefix" }}
{{- if or (hasPrefix "/metrics" .path) (hasPrefix "/healthz" .path) (hasPrefix "/readyz" .path) (and (ne $type "Exact") (or (eq .path "/") (eq .path ""))) }}
{{- fail (printf "public route path %q (%s) would expose /metrics and the health endpoints; route /graphql only" .path $type) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
An egress rule towards what a URL names (docs/deploy.md §8): the rule's own `to`/`ports` when set,
otherwise derived from the URL. The port is the URL's, or its scheme's default; the peer is the
namespace of an in-cluster name (<service>.<namespace>.svc[.cluster.local]), the address of an IP,
and any address for another name (a NetworkPolicy cannot select DNS names: narrow it with `to`).
A NetworkPolicy sees the port after a Service's translation: set `ports` when a Service maps ports.
Call with (dict "url" "http://apm.logging.svc:8200" "rule" $np.otlp); prints a list of one egress rule.
*/}}
{{- define "little-ecom.urlEgress" -}}
{{- $u := urlParse .url }}
{{- $port := "" }}
{{- if hasPrefix (printf "%s:" $u.hostname) $u.host }}{{ $port = trimPrefix (printf "%s:" $u.hostname) $u.host }}{{ end }}
{{- if not $port }}{{ $port = get (dict "http" "80" "https" "443" "smtp" "587" "smtps" "465" "redis" "6379" "rediss" "6379") $u.scheme }}{{ end }}
{{- $to := .rule.to }}
{{- if not $to }}
{{- $parts := splitList "." $u.hostname }}
{{- if and (ge (len $parts) 3) (eq (index $parts 2) "svc") }}
{{- $to = list (dict "namespaceSelector" (dict "matchLabels" (dict "kubernetes.io/metadata.name" (index $parts 1)))) }}
{{- else if regexMatch "^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$" $u.hostname }}
{{- $to = list (dict "ipBlock" (dict "cidr" (printf "%s/32" $u.hostname))) }}
{{- else }}
{{- $to = list (dict "ipBlock" (dict "cidr" "0.0.0.0/0")) }}
{{- end }}
{{- end }}
{{- $ports := .rule.ports }}
{{- if not $ports }}{{ $ports = list (dict "port" (atoi $port) "protocol" "TCP") }}{{ end }}
{{- toYaml (list (dict "to" $to "ports" $ports)) }}
{{- end }}
