import type { Db } from 'mongodb';
import type { DeliveryErrorKind } from './errors.js';

/**
 * The SMTP circuit, shared by every delivery worker on the database: when the server is down,
 * refuses our credentials or throttles us, nobody sends (no email burns its retries on an outage);
 * after `probeAt` one worker sends one email as a probe, and its success closes the circuit.
 */
export interface CircuitDocument {
  _id: 'smtp';
  reason: DeliveryErrorKind;
  /** The last server answer, for admins. */
  detail: string;
  openedAt: Date;
  probeAt: Date;
  failures: number;
}

const DELIVERY_CIRCUIT = 'delivery_circuit';

export interface CircuitSettings {
  /** First wait before a probe; doubles per failed probe up to `probeMaxMs`. */
  probeMs: number;
  probeMaxMs: number;
}

export function createCircuit(db: Db, settings: CircuitSettings) {
  const circuits = db.collection<CircuitDocument>(DELIVERY_CIRCUIT);
  const delay = (failures: number) => Math.min(settings.probeMs * 2 ** Math.max(0, failures - 1), settings.probeMaxMs);

  return {
    state: () => circuits.findOne({ _id: 'smtp' }),

    /** Opens the circuit or, when open, pushes the next probe further out. Returns the new state. */
    async trip(reason: DeliveryErrorKind, detail: string, now = new Date()): Promise<CircuitDocument> {
      const current = await circuits.findOne({ _id: 'smtp' });
      const failures = (current?.failures ?? 0) + 1;
      const next: CircuitDocument = {
        _id: 'smtp',
        reason,
        detail,
        openedAt: current?.openedAt ?? now,
        probeAt: new Date(now.getTime() + delay(failures)),
        failures,
      };
      await circuits.replaceOne({ _id: 'smtp' }, next, { upsert: true });
      return next;
    },

    /**
     * Takes the probe if it is due: moves `probeAt` on so other workers wait. True for the caller
     * that should send the probe.
     */
    async claimProbe(now = new Date()): Promise<boolean> {
      const current = await circuits.findOne({ _id: 'smtp' });
      if (!current || current.probeAt > now) return false;
      const result = await circuits.updateOne(
        { _id: 'smtp', probeAt: current.probeAt },
        { $set: { probeAt: new Date(now.getTime() + delay(current.failures + 1)) } },
      );
      return result.modifiedCount === 1;
    },

    /** A send went through: everyone may send again. */
    close: () => circuits.deleteOne({ _id: 'smtp' }),
  };
}

export type Circuit = ReturnType<typeof createCircuit>;
