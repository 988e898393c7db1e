import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { GraphQLError } from 'graphql';
import { createLogger } from '@little-ecom/logger';
import { connectMongo, ensureIndexes } from '@little-ecom/mongo';
import { loadAccountsConfig } from '../config.js';
import { loadSecretBox } from '@little-ecom/secrets';
import { createArgon2Hasher } from '../passwords/password.hasher.js';
import { createServices } from '../services.js';
import { loadSigningKeys } from '../tokens/signing-keys.js';

const USAGE = `Usage: npm run create-admin -- --email <email> [--password <password> | --password-stdin] [--name <name>] [--enroll-totp]
       node dist/cli/create-admin.js --email <email> ...

Creates an account with role ADMIN, or promotes the existing account with this email (its password
is then left unchanged). Reads MONGODB_URI / MONGODB_DB (and TOTP_SECRETS_KEY)
like the accounts service.
--password-stdin reads the password from standard input, keeping it out of shell history and ps.
--enroll-totp    enrolls a TOTP second factor (required for admins with NODE_ENV=production) and
                 prints its otpauth:// URI and ten one-time recovery codes: they are shown only once.`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        email: { type: 'string' },
        password: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
        name: { type: 'string' },
        'enroll-totp': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help || !args.email) {
    process.stderr.write(`${USAGE}\n`);
    return args.help ? 0 : 2;
  }
  const password = args['password-stdin'] ? await readStdin() : args.password;

  let config;
  try {
    // The same configuration as the service (in a pod: `kubectl exec deploy/accounts -- node dist/cli/create-admin.js ...`).
    config = loadAccountsConfig(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
  // Warnings and errors only: the command's own output is the one line below.
  const logger = createLogger({ service: 'accounts-cli', level: 'warn', fluentd: config.log.fluentd });
  const mongo = await connectMongo({ ...config.mongo, logger });
  try {
    // The service's own services, from the same config as app.ts; without the GraphQL server, which a
    // command does not need (and whose modules would only slow its start).
    const services = createServices({
      db: mongo.db,
      logger,
      keys: await loadSigningKeys(config.keys, logger),
      settings: config.auth,
      hasher: await createArgon2Hasher(config.auth.argon2),
      eventSecrets: loadSecretBox(config.eventSecrets),
      totpSecrets: loadSecretBox({ key: config.totp.secretsKey }),
      totpIssuer: config.totp.issuer,
      production: config.production,
      clock: () => new Date(),
    });
    await ensureIndexes(mongo.db, services.indexes);
    const {
      outcome,
      user,
      totp: enrolled,
    } = await services.createAdmin(
      { email: args.email, password, name: args.name, enrollTotp: args['enroll-totp'] },
      `cli-${randomUUID()}`,
    );
    const messages = {
      created: 'created admin account',
      promoted: 'promoted existing account to ADMIN (its password is unchanged; its sessions ended, it logs in again)',
      already_admin: 'account is already an ADMIN; nothing changed',
    };
    process.stdout.write(`${messages[outcome]}: ${user.email} (id ${user._id.toHexString()})\n`);
    if (enrolled === 'already_enrolled') process.stdout.write('the account already has a TOTP second factor; nothing enrolled\n');
    else if (enrolled)
      process.stdout.write(
        [
          'enrolled a TOTP second factor; add it to an authenticator app (as a QR code or by hand):',
          `  otpauth URI: ${enrolled.otpauthUri}`,
          `  secret:      ${enrolled.secret}`,
          'one-time recovery codes (shown only now; keep them offline):',
          ...enrolled.recoveryCodes.map((code) => `  ${code}`),
          '',
        ].join('\n'),
      );
    return 0;
  } catch (error) {
    // Validation problems are for the operator; never echo the password.
    process.stderr.write(
      `create-admin failed: ${error instanceof GraphQLError || error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    await mongo.close();
    await logger.close();
  }
}

process.exitCode = await main();
