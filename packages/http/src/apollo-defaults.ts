import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { createErrorFormatter } from '@little-ecom/errors';
import type { Logger } from '@little-ecom/logger';
import { operationGuardPlugin } from './operation-guard.plugin.js';
import { queryLimitOptions, type QueryLimits } from './query-limits.js';
import { requestLoggingPlugin } from './request-logging.plugin.js';
import { resolverSpansPlugin } from './resolver-spans.plugin.js';
import type { RequestContext } from './types.js';

export interface ApolloDefaultsOptions {
  production: boolean;
  logger: Logger;
  /** Depth, alias, cost and token limits: the gateway's own, `subgraphLimits(...)` of them on a subgraph. */
  limits: QueryLimits;
}

/**
 * Settings every Apollo Server in little-ecom shares. Production hides the schema: no landing page,
 * no introspection, no "did you mean" suggestions, and no internals in errors.
 */
export function apolloDefaults<TContext extends RequestContext>({ production, logger, limits }: ApolloDefaultsOptions) {
  const guard = queryLimitOptions<TContext>(limits, production);
  return {
    parseOptions: guard.parseOptions,
    validationRules: guard.validationRules,
    introspection: !production,
    // Our own shutdown (@little-ecom/shutdown) drains HTTP first; Apollo's handler would stop the server
    // and re-raise the signal mid-drain, killing the process before connections are closed.
    stopOnTerminationSignals: false,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    formatError: createErrorFormatter(logger, { production }),
    logger: {
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.info(message),
      warn: (message: string) => logger.warn(message),
      error: (message: string) => logger.error(message),
    },
    plugins: [
      requestLoggingPlugin<TContext>(),
      operationGuardPlugin<TContext>(),
      ...guard.plugins,
      resolverSpansPlugin<TContext>(),
      // Inline traces are for Apollo's hosted studio, which little-ecom does not use.
      ApolloServerPluginInlineTraceDisabled(),
      production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ],
  };
}
