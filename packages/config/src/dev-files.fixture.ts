// One process racing the others to create the same dev files (dev-files.test.ts): in each round it
// waits for the round's shared start time, then reads or creates that round's file and prints it.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateDevFile } from './dev-files.js';

const [dir, startAt, rounds] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const seen: string[] = [];
for (let round = 0; round < rounds; round += 1) {
  // Spin rather than sleep: a timer would add up to a millisecond of skew between the processes.
  while (Date.now() < startAt + round * 250) {
    /* wait for the round's start */
  }
  // A few MB, so that writing the file takes long enough for a reader to catch it half-written.
  const content = readOrCreateDevFile(join(dir, `key-${round}`), () => `${randomUUID()}\n`.repeat(200_000));
  seen.push(`${content.length}:${content.slice(0, 36)}`);
}
process.stdout.write(JSON.stringify(seen));
