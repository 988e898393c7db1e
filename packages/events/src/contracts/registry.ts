import type { z } from 'zod';
import { orderEvents } from './order.js';
import { productEvents } from './product.js';
import { stockEvents } from './stock.js';
import { userEvents } from './user.js';

/**
 * Every event type and the schema of its `data`: the contract producers and consumers both check.
 * Additive changes (a new optional field) keep the envelope version; anything else needs a new
 * `ENVELOPE_VERSION`. Unknown fields are dropped on parse, so consumers tolerate newer producers.
 */
export const eventContracts = { ...productEvents, ...userEvents, ...orderEvents, ...stockEvents } as const;

export type EventType = keyof typeof eventContracts;

/** Routing keys, which are also the envelope `type`. */
export const EVENT_TYPES = Object.keys(eventContracts) as EventType[];

/** The checked `data` of an event of type `T`. */
export type EventData<T extends EventType> = z.output<(typeof eventContracts)[T]>;

/** The data of every event type, by type. */
export type EventDataByType = { [T in EventType]: EventData<T> };

/** What a producer may pass before defaults apply (e.g. a test standing in for an older producer). */
export type EventInput<T extends EventType> = z.input<(typeof eventContracts)[T]>;
