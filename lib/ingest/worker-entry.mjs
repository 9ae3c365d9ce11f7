// The ingest worker's entry point. A worker thread does not inherit tsx's loader from the
// process that starts it, so it registers tsx itself, then loads the TypeScript module.
import { tsImport } from "tsx/esm/api";

await tsImport("./worker.ts", import.meta.url);
