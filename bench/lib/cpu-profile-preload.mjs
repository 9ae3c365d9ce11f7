// Loaded with `--import` (through NODE_OPTIONS, where --cpu-prof itself is not allowed) into the
// server under test by `npm run bench -- --cpu-prof`: samples the CPU from start-up and writes
// a .cpuprofile into BENCH_CPU_PROFILE_DIR when the process exits.
import fs from "node:fs";
import path from "node:path";
import { Session } from "node:inspector";

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.start");
  // The in-process inspector answers synchronously, so this works in an "exit" handler.
  process.on("exit", () => {
    session.post("Profiler.stop", (error, result) => {
      if (error || !result) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
