// Seeds the demo catalog into an empty products database (npm run dev does this on first start).
import { buildEvent } from '@little-ecom/events';
import { createLogger } from '@little-ecom/logger';
import { connectMongo, ensureIndexes } from '@little-ecom/mongo';
import { PRODUCTS, createProductRepository, productIndexes } from '../catalog/product.repository.js';
import { snapshot } from '../catalog/product.service.js';
import { loadProductsConfig } from '../config.js';
import { demoCatalog } from './demo-catalog.js';

const config = loadProductsConfig(process.env);
const logger = createLogger({ service: 'products-seed', level: config.log.level });
const mongo = await connectMongo({ ...config.mongo, logger });
try {
  await ensureIndexes(mongo.db, { [PRODUCTS]: productIndexes });
  const existing = await mongo.db.collection(PRODUCTS).countDocuments({}, { limit: 1 });
  if (existing > 0) {
    logger.info('catalog already has products; not seeding');
  } else {
    // With product.created events, published when products runs: orders learns the catalog from them.
    const inserted = await createProductRepository(mongo.db).insertMany(demoCatalog(), new Date(), (doc) => [
      buildEvent('product.created', { ...snapshot(doc) }, { source: 'products', correlationId: 'seed' }),
    ]);
    logger.info('seeded the demo catalog', { products: inserted });
  }
} finally {
  await mongo.close();
}
