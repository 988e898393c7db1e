import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Development only: the content of a git-ignored secret file (a dev key), created with `content`
 * when it does not exist yet. Services and test files start at once, so creation is atomic: the
 * content is written to a private temporary file that is then hard-linked into place, which fails
 * when another process got there first. Nobody ever reads a half-written file, and everybody ends
 * up with the first creator's content (mode 0600, folder 0700).
 */
export function readOrCreateDevFile(file: string, content: () => string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(temporary, content(), { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return readFileSync(file, 'utf8');
}
