{{/* Environment of one component (the contract in docs/deploy.md). Call with (dict "root" $ "component" "gateway"). */}}
{{- define "little-ecom.env" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $c := index $v .component -}}
- name: NODE_ENV
  value: {{ $v.config.nodeEnv | quote }}
- name: LOG_LEVEL
  value: {{ $v.config.logLevel | quote }}
- name: HOST
  value: "0.0.0.0"
- name: PORT
  value: {{ $c.port | quote }}
- name: SHUTDOWN_TIMEOUT_MS
  value: {{ $v.config.shutdownTimeoutMs | int64 | quote }}
{{- with $v.observability.tracing }}
{{- if .otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .otlpEndpoint | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .sampleRatio | toString | quote }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "service.version=%s,deployment.environment.name=%s,k8s.namespace.name=%s" $root.Chart.AppVersion $v.config.nodeEnv $root.Release.Namespace | quote }}
{{- if .headersSecretKey }}
{{- /* Optional: without the key the exporter sends no headers (an intake that needs a token refuses the spans; the pod runs). */}}
- name: OTEL_EXPORTER_OTLP_HEADERS
  valueFrom:
    secretKeyRef:
      name: {{ include "little-ecom.secretName" $root }}
      key: {{ .headersSecretKey }}
      optional: true
{{- end }}
{{- end }}
{{- end }}
{{- if $v.logging.fluentd.enabled }}
- name: FLUENTD_HOST
  value: {{ $v.logging.fluentd.host | quote }}
- name: FLUENTD_PORT
  value: {{ $v.logging.fluentd.port | quote }}
- name: FLUENTD_TAG_PREFIX
  value: {{ $v.logging.fluentd.tagPrefix | quote }}
{{- end }}
{{- /* Query limits: the gateway's, on every component (subgraphs enforce them with the planner's headroom). */}}
- name: MAX_DEPTH
  value: {{ $v.gateway.limits.maxDepth | quote }}
- name: MAX_ALIASES
  value: {{ $v.gateway.limits.maxAliases | quote }}
- name: MAX_COST
  value: {{ $v.gateway.limits.maxCost | int64 | quote }}
{{- if eq .component "gateway" }}
{{- /* PRODUCTS_URL, ...: the gateway names each subgraph's URL variable after it (gateway/src/subgraph-urls.ts). */}}
{{- range $subgraph := splitList " " (include "little-ecom.subgraphs" $root) }}
- name: {{ printf "%s_URL" ($subgraph | upper | replace "-" "_") }}
  value: {{ printf "%s/graphql" (include "little-ecom.componentUrl" (dict "root" $root "component" $subgraph)) | quote }}
{{- end }}
- name: SUPERGRAPH_PATH
  value: /etc/little-ecom/supergraph/supergraph.graphql
- name: CORS_ORIGINS
  value: {{ join "," $c.corsOrigins | quote }}
- name: TRUSTED_PROXY_HOPS
  value: {{ ternary "1" "0" $c.trustProxy | quote }}
- name: BODY_LIMIT_BYTES
  value: {{ $c.limits.bodyLimitBytes | int64 | quote }}
- name: RESPONSE_CACHE
  value: {{ $c.cache.enabled | quote }}
- name: RESPONSE_CACHE_MAX_ENTRIES
  value: {{ $c.cache.maxEntries | int64 | quote }}
- name: PERSISTED_QUERIES
  value: {{ $c.persistedQueries | quote }}
{{- if $c.cache.redis.enabled }}
{{- /* Optional: without the key the gateway keeps its in-process cache (gateway/src/main.ts). */}}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "little-ecom.secretName" $root }}
      key: redis-url
      optional: true
- name: REDIS_KEY_PREFIX
  value: {{ $c.cache.redis.keyPrefix | quote }}
{{- end }}
{{- else }}
- name: MONGODB_DB
  value: {{ $c.mongodbDatabase | quote }}
- name: JWT_ISSUER
  value: {{ $v.config.jwt.issuer | quote }}
- name: JWT_AUDIENCE
  value: {{ $v.config.jwt.audience | quote }}
{{- if ne .component "accounts" }}
- name: JWKS_URL
  value: {{ printf "%s/.well-known/jwks.json" (include "little-ecom.componentUrl" (dict "root" $root "component" "accounts")) | quote }}
- name: REVOCATIONS_URL
  value: {{ printf "%s/internal/revocations" (include "little-ecom.componentUrl" (dict "root" $root "component" "accounts")) | quote }}
- name: JWT_ALGORITHMS
  value: {{ $v.config.jwt.algorithms | quote }}
{{- end }}
{{- end }}
{{- if eq .component "accounts" }}
- name: ACCESS_TOKEN_TTL
  value: {{ $c.accessTokenTtl | quote }}
- name: REFRESH_TOKEN_TTL
  value: {{ $c.refreshTokenTtl | quote }}
{{- end }}
{{- if eq .component "notifications" }}
- name: MAIL_FROM
  value: {{ $c.mailFrom | quote }}
- name: STOREFRONT_URL
  value: {{ $c.storefrontUrl | quote }}
{{- end }}
{{- range $name, $ref := $c.secretEnv }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.name | default (include "little-ecom.secretName" $root) }}
      key: {{ $ref.key }}
      {{- if $ref.optional }}
      optional: true
      {{- end }}
{{- end }}
{{- range $name, $value := $c.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}
