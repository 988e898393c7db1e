import type { OrderEventDataByType } from './orders.js';

/**
 * The `data` of each event type: the contract between producers and consumers. Additive changes
 * keep the envelope version; anything else needs a new `ENVELOPE_VERSION`.
 */
export interface MoneyData {
  amount: number;
  currency: string;
}

export interface ProductSnapshot {
  productId: string;
  slug: string;
  name: string;
  description: string;
  price: MoneyData;
  stock: number;
  category: string;
  imageUrls: string[];
}

export type ProductCreatedData = ProductSnapshot;

/** Before/after of price and stock let consumers see price drops and restocks without state of their own. */
export interface ProductUpdatedData {
  productId: string;
  slug: string;
  name: string;
  price: { before: MoneyData; after: MoneyData };
  stock: { before: number; after: number };
  /** Names of the fields the update changed. */
  changed: string[];
}

export interface ProductDeletedData {
  productId: string;
  slug: string;
  name: string;
}

export interface UserData {
  userId: string;
  email: string;
  name: string;
  role: string;
}

export type UserRegisteredData = UserData;
export type UserUpdatedData = UserData;

export interface PasswordResetRequestedData {
  userId: string;
  email: string;
  name: string;
  resetToken: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** Every event type's data; the order saga's types are in orders.ts. */
export interface EventDataByType extends OrderEventDataByType {
  'product.created': ProductCreatedData;
  'product.updated': ProductUpdatedData;
  'product.deleted': ProductDeletedData;
  'user.registered': UserRegisteredData;
  'user.updated': UserUpdatedData;
  'user.password_reset_requested': PasswordResetRequestedData;
}
