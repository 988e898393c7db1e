import argon2 from 'argon2';

export interface Argon2Params {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

/** Hashes and checks passwords; an interface so tests can count verifications on the real thing. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when `hash` was made with other parameters than the current ones (rehash after login). */
  needsRehash(hash: string): boolean;
  /**
   * Runs a full verification against a fixed hash made with the current parameters, so an unknown
   * email costs the same as a wrong password.
   */
  verifyDummy(password: string): Promise<void>;
}

/**
 * NIST SP 800-63B: compare passwords after Unicode normalization, so the same password typed on two
 * keyboards (composed vs decomposed accents) is the same password. Never truncated.
 */
const normalizePassword = (password: string) => password.normalize('NFKC');

/** argon2id with the given parameters (see docs/auth.md for the chosen values). */
export async function createArgon2Hasher(params: Argon2Params): Promise<PasswordHasher> {
  const options = {
    type: argon2.argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  } as const;
  const hash = (password: string) => argon2.hash(normalizePassword(password), options);
  // Made once per process with the live parameters, so its cost tracks any parameter change.
  const dummyHash = await argon2.hash(`dummy-${Math.random()}`, options);
  const verify = async (stored: string, password: string) => {
    try {
      return await argon2.verify(stored, normalizePassword(password));
    } catch {
      // A malformed stored hash is a failed check, never a crash that would reveal the account.
      return false;
    }
  };
  return {
    hash,
    verify,
    needsRehash: (stored) => argon2.needsRehash(stored, options),
    async verifyDummy(password) {
      await verify(dummyHash, password);
    },
  };
}
