import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MANIFESTS, PLATFORM, VERSIONS, manifestFiles } from './support/platform.js';
import { SUBGRAPHS } from './support/service-list.js';
import { ROOT, run, toolPath } from './support/tools.js';

/**
 * infra/platform/install.sh as docs/deploy.md §3 runs it, as far as this machine allows: its
 * preflight, and its --dry-run, which prints every command without touching a cluster. kubectl here
 * is a stand-in that fails the test if the dry run calls it for anything but `version --client`.
 */
const INSTALL = join(PLATFORM, 'install.sh');
const scratch = mkdtempSync(join(tmpdir(), 'little-ecom-install-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A PATH holding exactly `tools` (real binaries, linked), plus the stand-in kubectl unless left out. */
function pathWith(name: string, tools: string[], kubectl = true): string {
  const dir = join(scratch, name);
  run('mkdir', ['-p', dir]);
  const which = (tool: string) => run('bash', ['-c', `command -v ${tool}`]).stdout.trim();
  for (const tool of tools) {
    const target = tool === 'helm' ? toolPath('helm') : tool === 'node' ? process.execPath : which(tool);
    if (!target) throw new Error(`${tool} is not installed on this machine`);
    symlinkSync(target, join(dir, tool));
  }
  if (kubectl) {
    writeFileSync(
      join(dir, 'kubectl'),
      '#!/bin/bash\n[[ "$*" == "version --client"* ]] && { echo "Client Version: v1.35.4"; exit 0; }\necho "kubectl called in a dry run: $*" >&2\nexit 99\n',
    );
    chmodSync(join(dir, 'kubectl'), 0o755);
  }
  return dir;
}
const BASE_TOOLS = ['bash', 'cat', 'sed', 'sort', 'head', 'cut', 'tr', 'sha256sum', 'base64', 'openssl', 'dirname'];

function install(args: string[], env: Record<string, string>) {
  return run('bash', [INSTALL, ...args], undefined, { HOME: scratch, ...env });
}

const jwtFile = join(scratch, 'jwt-signing-keys.json');
writeFileSync(jwtFile, '[{"kty":"EC","crv":"P-256","d":"s3cr3t"}]');
const APP_ENV = { SMTP_URL: 'smtps://apikey:s3cr3t-smtp@smtp.example.com:465', JWT_SIGNING_KEYS_FILE: jwtFile };

describe('install.sh preflight', () => {
  it.each(['node', 'helm', 'openssl', 'sha256sum'])('stops before doing anything when %s is missing, and says so', (missing) => {
    const path = pathWith(
      `without-${missing}`,
      [...BASE_TOOLS, 'node', 'helm'].filter((t) => t !== missing),
    );
    const result = install(['--dry-run'], { PATH: path, ...APP_ENV });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`error: ${missing} is required`);
    expect(result.stdout).not.toContain('==');
  });

  it('reports every missing tool at once (kubectl and node here)', () => {
    const path = pathWith('without-kubectl-node', [...BASE_TOOLS, 'helm'], false);
    const result = install(['--dry-run'], { PATH: path });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error: kubectl is required');
    expect(result.stderr).toContain('error: node is required');
  });
});

describe('install.sh --dry-run', () => {
  const path = pathWith('all', [...BASE_TOOLS, 'node', 'helm']);
  const dry = (what: string[], env: Record<string, string> = {}) => {
    const result = install(['--dry-run', ...what], { PATH: path, ...APP_ENV, ...env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return result.stdout;
  };
  const all = dry([]);

  it('prints the whole install in dependency order, without touching a cluster', () => {
    const steps = [
      'preflight: kubectl, helm v3',
      'cert-manager',
      'envoy-gateway',
      'mongodb/mongodb-kubernetes',
      'manifests/mongodb.yaml',
      'manifests/mongodb-backup.yaml',
      'manifests/rabbitmq.yaml',
      'rabbitmqctl set_permissions',
      'manifests/redis.yaml',
      'elastic/eck-operator',
      'manifests/logging-full/elastic.yaml',
      'manifests/elasticsearch-setup-job.yaml',
      'manifests/logging-full/fluentd.yaml',
      'manifests/fluent-bit.yaml',
      'manifests/kibana-import-job.yaml',
      'apply secret little-ecom-secrets',
      'helm upgrade --install little-ecom',
      'helm test little-ecom',
      '== done',
    ];
    const positions = steps.map((s) => all.indexOf(s));
    expect(Object.fromEntries(steps.map((s, i) => [s, positions[i]! >= 0]))).toEqual(
      Object.fromEntries(steps.map((s) => [s, true])),
    );
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('takes every version from versions.env', () => {
    for (const name of [
      'CERT_MANAGER_CHART_VERSION',
      'ENVOY_GATEWAY_VERSION',
      'MONGODB_OPERATOR_CHART_VERSION',
      'ECK_OPERATOR_CHART_VERSION',
    ])
      expect(all).toContain(`--version ${VERSIONS[name]}`);
    for (const name of [
      'MONGODB_VERSION',
      'RABBITMQ_IMAGE',
      'REDIS_IMAGE',
      'ELASTIC_STACK_VERSION',
      'FLUENT_BIT_IMAGE',
      'FLUENTD_IMAGE',
      'CURL_IMAGE',
    ])
      expect(all, name).toContain(VERSIONS[name]!.replace(/^'|'$/g, ''));
  });

  it('rolls the app once: the Secret checksum rides on the release, no restart after it', () => {
    expect(all.match(/helm upgrade --install little-ecom/g)).toHaveLength(1);
    expect(all).toContain('secrets.checksum=');
    expect(all).not.toMatch(/rollout restart/);
  });

  it('derives the SMTP egress port from SMTP_URL (465 and 587)', () => {
    expect(all).toContain('notifications.smtpPort=465');
    expect(dry(['app'], { SMTP_URL: 'smtp://user:pw@relay.example.com:587' })).toContain('notifications.smtpPort=587');
    expect(dry(['app'], { SMTP_URL: 'smtps://user:pw@relay.example.com' })).toContain('notifications.smtpPort=465');
    expect(dry(['app'], { SMTP_URL: 'smtp://relay.example.com' })).toContain('notifications.smtpPort=587');
  });

  it('creates every Secret key per subgraph and prints no secret value', () => {
    for (const s of SUBGRAPHS) {
      expect(all).toContain(`${s.name}-mongodb-uri`);
      expect(all).toContain(`${s.name}-amqp-url`);
    }
    expect(all).not.toContain('s3cr3t');
  });

  it('light logging profile: one Elasticsearch, Fluent Bit straight to it, no Fluentd or APM, tracing off', () => {
    const light = dry([], { LOGGING_PROFILE: 'light' });
    expect(light).toContain('manifests/logging-light/elastic.yaml');
    expect(light).not.toContain('fluentd.yaml');
    expect(light).not.toContain('apmserver');
    expect(light).toContain('output-light.conf');
    expect(light).toContain('observability.tracing.otlpEndpoint=');
  });

  it('keeps ingress-nginx where asked, at its pinned release', () => {
    const nginx = dry(['platform'], { LITTLE_ECOM_INGRESS: 'nginx' });
    expect(nginx).toContain(`ingress-nginx/ingress-nginx --version ${VERSIONS['INGRESS_NGINX_CHART_VERSION']}`);
    expect(nginx).not.toContain('envoy-gateway');
  });

  it('refuses an unknown argument or profile', () => {
    expect(install(['--dry-run', 'everything'], { PATH: path }).status).toBe(1);
    expect(install(['--dry-run'], { PATH: path, LOGGING_PROFILE: 'medium' }).status).toBe(1);
  });
});

describe('versions.env is the only place versions live', () => {
  it('no manifest writes an image or version itself', () => {
    const problems: string[] = [];
    for (const file of manifestFiles()) {
      const text = readFileSync(join(MANIFESTS, file), 'utf8');
      for (const [, line] of text.matchAll(/^\s*((?:image|version): .*)$/gm))
        if (!/\$\{[A-Z][A-Z0-9_]*\}/.test(line!)) problems.push(`${file}: ${line}`);
    }
    expect(problems).toEqual([]);
  });

  it('every variable of versions.env is used, and the Gateway API release is the one CI validates against', () => {
    const used = [readFileSync(INSTALL, 'utf8'), ...manifestFiles().map((f) => readFileSync(join(MANIFESTS, f), 'utf8'))].join(
      '\n',
    );
    for (const name of Object.keys(VERSIONS)) expect(used, name).toMatch(new RegExp(`\\$\\{?${name}\\b`));
    const tools = readFileSync(join(ROOT, 'scripts/tools.sh'), 'utf8');
    expect(tools).toContain(`GATEWAY_API_VERSION="${VERSIONS['GATEWAY_API_VERSION']}"`);
  });
});
