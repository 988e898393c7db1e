import { z } from 'zod';
import type { EnvOf } from './load.js';

export const DEFAULT_MONGODB_URI = 'mongodb://127.0.0.1:27017';

/** A subgraph's MongoDB connection and its own database (the `database` of subgraphs.json). */
export const mongoEnv = (database: string) => ({
  MONGODB_URI: z.string().default(DEFAULT_MONGODB_URI),
  MONGODB_DB: z.string().default(database),
});

export function mongoSettings(env: EnvOf<ReturnType<typeof mongoEnv>>) {
  return { uri: env.MONGODB_URI, dbName: env.MONGODB_DB };
}
