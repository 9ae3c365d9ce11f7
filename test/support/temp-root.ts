import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Global setup of Vitest and Playwright: one temporary folder holds every data folder the run
 * makes (test/support/server.ts), and goes when the run ends. Test workers can be stopped
 * without running their exit handlers, and a full run left about 0.9 GB behind.
 */
export default function setup(): () => void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "vwc-run-"));
  // Inherited by the workers, which start after this.
  process.env.VWC_TEST_TMP = root;
  return () => fs.rmSync(root, { recursive: true, force: true });
}
