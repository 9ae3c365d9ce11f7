import fs from "node:fs";
import path from "node:path";

/**
 * The SQLite file holds message contents and phone numbers, so it is its owner's only, as the
 * secret files are: the folder is created 0700 and the file 0600 before SQLite opens it, and
 * SQLite gives its -wal and -shm files the main file's mode. A file left readable by an older
 * version (or a copy) is tightened at start.
 */
export function preparePrivateSqliteFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, "a", 0o600));
  for (const name of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      fs.chmodSync(name, 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") console.warn(`[db] could not make ${name} readable by its owner only (${code})`);
    }
  }
}
