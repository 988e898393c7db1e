// Seeds the demo catalog into an empty products database (npm run dev does this on first start).
import { createLogger } from '@little-ecom/logger';
import { connectMongo, ensureIndexes } from '@little-ecom/mongo';
import { PRODUCTS, createProductRepository, productIndexes } from '../catalog/product.repository.js';
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
    const inserted = await createProductRepository(mongo.db).insertMany(demoCatalog());
    logger.info('seeded the demo catalog', { products: inserted });
  }
} finally {
  await mongo.close();
}
