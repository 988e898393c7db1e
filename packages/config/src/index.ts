// Each module holds the env schema of one concern and infers its settings type from it (EnvOf).
export { z } from 'zod';
export { ConfigError, loadConfig, type Env, type EnvOf } from './load.js';
export { bool, httpUrl, list, port, positiveInt } from './fields.js';
export { commonEnv, commonSettings, logLevel } from './common.js';
export { DEFAULT_MONGODB_URI, mongoEnv, mongoSettings } from './mongo.js';
export { DEFAULT_AMQP_URL, consumerEnv, consumerSettings, outboxEnv, outboxSettings } from './events.js';
export { DEFAULT_SMTP_URL } from './mail.js';
export { tokenVerifierEnv, tokenVerifierSettings } from './token-verifier.js';
export { gatewayPublicKeyEnv, gatewayPublicKeySettings, gatewaySigningKeyEnv, gatewaySigningKeySettings } from './gateway-key.js';
export { queryLimitsEnv, queryLimitsSettings } from './query-limits.js';
export {
  eventDrivenSubgraphEnv,
  eventDrivenSubgraphSettings,
  eventProducerSubgraphSchema,
  subgraphEnv,
  subgraphSettings,
} from './subgraph.js';
export { developmentDefaultProblems, refuseDevelopmentDefaults, type DevelopmentDefaultsEnv } from './production.js';
export { readOrCreateDevFile } from './dev-files.js';
