// Seeds the demo catalog into an empty products database (npm run dev does this on first start).
import { createLogger } from '@little-ecom/logger';
import { connectMongo, ensureIndexes } from '@little-ecom/mongo';
import { productCreated } from '../catalog/product.events.js';
import { PRODUCTS } from '../catalog/product.repository.js';
import { loadProductsConfig } from '../config.js';
import { createServices } from '../services.js';
import { demoCatalog } from './demo-catalog.js';

const config = loadProductsConfig(process.env);
const logger = createLogger({ service: 'products-seed', level: config.log.level });
const mongo = await connectMongo({ ...config.mongo, logger });
try {
  const { indexes, repositories } = createServices(mongo.db);
  await ensureIndexes(mongo.db, indexes);
  const existing = await mongo.db.collection(PRODUCTS).countDocuments({}, { limit: 1 });
  if (existing > 0) {
    logger.info('catalog already has products; not seeding');
  } else {
    // With product.created events, published when products runs: orders learns the catalog from them.
    const inserted = await repositories.products.insertMany(demoCatalog(), new Date(), (doc) => [
      productCreated({ correlationId: 'seed' }, doc),
    ]);
    logger.info('seeded the demo catalog', { products: inserted });
  }
} finally {
  await mongo.close();
}
