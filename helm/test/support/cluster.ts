import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { freePort } from '@little-ecom/testing';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run, toolPath } from './tools.js';

/**
 * A real, local Kubernetes control plane for the install tests: etcd + kube-apiserver built from the
 * pinned modules (scripts/tools.sh kube-apiserver), on loopback ports, with a throwaway token.
 * There is no scheduler, controller manager or kubelet: objects are stored and validated by the
 * API server (admission, defaulting, schema), but no pod ever runs.
 */
export interface Cluster {
  kubeconfig: string;
  /** GET an API path (e.g. /apis/apps/v1/namespaces/x/deployments) as JSON. */
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  /** helm with this cluster's kubeconfig and a private helm home. */
  helm(args: string[]): ReturnType<typeof run>;
  stop(): Promise<void>;
}

const BIN = join(ROOT, '.tools/bin');

function binary(name: 'kube-apiserver' | 'etcd'): string {
  const path = join(BIN, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`bash scripts/tools.sh kube-apiserver\` (npm test does)`);
  return path;
}

function httpsGet(url: string, token: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // The API server's serving certificate is self-signed, generated at start; it is our own process on loopback.
    const req = request(
      url,
      { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 5_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'little-ecom-envtest-'));
  const processes: ChildProcess[] = [];
  const logs: string[] = [];
  const startProcess = (file: string, args: string[], name: string) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      logs.push(`[${name}] ${chunk.toString()}`);
      if (logs.length > 200) logs.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    processes.push(child);
    return child;
  };
  const stop = async () => {
    for (const child of processes.reverse()) await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    startProcess(
      binary('etcd'),
      [
        '--name=default',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync',
        '--log-level=error',
      ],
      'etcd',
    );

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const token = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,"system:masters"\n`);
    mkdirSync(join(dir, 'certs'));
    const apiserver = startProcess(
      binary('kube-apiserver'),
      [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, 'certs')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--enable-priority-and-fairness=false',
        '--v=0',
      ],
      'kube-apiserver',
    );

    const server = `https://127.0.0.1:${apiPort}`;
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (apiserver.exitCode !== null) throw new Error('kube-apiserver exited');
      const ready = await httpsGet(`${server}/readyz`, token).catch(() => ({ status: 0, text: '' }));
      if (ready.status === 200) break;
      if (Date.now() > deadline) throw new Error('kube-apiserver did not become ready in 90 s');
      await new Promise((r) => setTimeout(r, 500));
    }

    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '  - name: envtest',
        `    cluster: { server: "${server}", insecure-skip-tls-verify: true }`,
        'users:',
        '  - name: admin',
        `    user: { token: "${token}" }`,
        'contexts:',
        '  - name: envtest',
        '    context: { cluster: envtest, user: admin }',
        'current-context: envtest',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const helmEnv = {
      ...process.env,
      KUBECONFIG: kubeconfig,
      HELM_CACHE_HOME: join(dir, 'helm/cache'),
      HELM_CONFIG_HOME: join(dir, 'helm/config'),
      HELM_DATA_HOME: join(dir, 'helm/data'),
    };
    return {
      kubeconfig,
      async get<T>(path: string) {
        const res = await httpsGet(`${server}${path}`, token);
        return { status: res.status, body: JSON.parse(res.text) as T };
      },
      helm: (args) => run(toolPath('helm'), args, undefined, helmEnv),
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${logs.join('').slice(-4000)}`);
  }
}
