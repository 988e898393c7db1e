import { loadGatewayKey } from '@little-ecom/auth';
import { runService } from '@little-ecom/service';
import { createGatewayApp } from './app.js';
import { loadGatewayConfig } from './config.js';

const config = loadGatewayConfig(process.env);

await runService(config, async (logger) => ({
  app: createGatewayApp(config, { logger, subgraphKey: await loadGatewayKey(config.gatewayKey) }),
  readyFields: { sandbox: !config.production },
}));
