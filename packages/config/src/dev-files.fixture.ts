// One process racing the others to create the same dev files (dev-files.test.ts): in each round it
// waits for the round's shared start time, then reads or creates that round's file and prints it.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateDevFile } from './dev-files.js';

const [dir, startAt, rounds] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const pause = new Int32Array(new SharedArrayBuffer(4));
const seen: string[] = [];
for (let round = 0; round < rounds; round += 1) {
  const roundStart = startAt + round * 250;
  // Sleep until just before the round's start (not to take CPU from the other tests), then spin:
  // a timer alone would add up to a millisecond of skew between the processes.
  Atomics.wait(pause, 0, 0, Math.max(0, roundStart - Date.now() - 20));
  while (Date.now() < roundStart) {
    /* wait for the round's start */
  }
  // A few MB, so that writing the file takes long enough for a reader to catch it half-written.
  const content = readOrCreateDevFile(join(dir, `key-${round}`), () => `${randomUUID()}\n`.repeat(200_000));
  seen.push(`${content.length}:${content.slice(0, 36)}`);
}
process.stdout.write(JSON.stringify(seen));
