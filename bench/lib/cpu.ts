import fs from "node:fs";

/**
 * CPU time a server process has used, read from Linux's /proc: its main thread (the HTTP
 * thread, which runs every route handler) and all its threads together (with the ingest
 * worker, V8's garbage-collection helpers and libuv's pool). CPU per request moves far less
 * with a shared machine's speed than requests per second do, so it shows what a change costs
 * even when the throughput ratio is lost in the noise.
 */

export interface CpuTimes {
  /** Microseconds of user + system time. */
  mainMicros: number;
  totalMicros: number;
}

/** Clock ticks per second of /proc's counters (USER_HZ): 100 on every Linux this runs on. */
const TICK_MICROS = 10_000;

/** The process's CPU times so far, or undefined where /proc cannot be read (not Linux, or gone). */
export function cpuTimes(pid: number): CpuTimes | undefined {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let mainMicros = 0;
  let totalMicros = 0;
  for (const task of tasks) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
    } catch {
      continue; // a thread that ended meanwhile
    }
    // Fields after the command name (which may hold spaces), from field 3: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const micros = (Number(fields[11]) + Number(fields[12])) * TICK_MICROS;
    totalMicros += micros;
    if (task === String(pid)) mainMicros = micros;
  }
  return { mainMicros, totalMicros };
}

export function cpuSince(pid: number, start: CpuTimes | undefined): CpuTimes | undefined {
  const end = cpuTimes(pid);
  if (!start || !end) return undefined;
  return { mainMicros: end.mainMicros - start.mainMicros, totalMicros: end.totalMicros - start.totalMicros };
}
