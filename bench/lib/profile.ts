import fs from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `--cpu-prof`: the ingest server runs with V8's sampling profiler (bench/lib/cpu-profile-preload.mjs)
 * and writes a .cpuprofile when it stops (open it in Chrome DevTools › Performance). This prints
 * where the samples fell: by owner (the nearest package on the stack, through the build's source
 * maps for Next's bundles), by file of our own code, by module and by function (self time).
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** A readable bucket for a script URL. */
function bucket(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const u = url.replace(/^file:\/\//, "");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (pkg) {
    if (pkg[1] === "next") {
      const sub = /node_modules\/next\/dist\/(?:compiled\/)?([^/]+(?:\/[^/]+)?)/.exec(u);
      return `next/${sub?.[1] ?? "?"}`;
    }
    return pkg[1]!;
  }
  if (u.startsWith("node:")) return u;
  if (u.includes("/.next/server/chunks/")) return ".next server chunk (bundled app code + deps)";
  if (u.includes("/.next/")) return ".next (other)";
  const rel = u.includes("/work/") ? path.relative(process.cwd(), u) : u;
  return rel.startsWith("lib/") || rel.startsWith("app/") || rel === "server.ts" ? rel : rel;
}

/**
 * The package a sample's time belongs to: the nearest frame on its stack that is neither
 * Node's own code nor a native function. JSON.stringify called by Socket.IO counts as
 * Socket.IO; undici's Request built by Next counts as Next.
 */
/** The repository's root, as a pattern (profiles hold absolute paths). */
const ROOT = process.cwd().replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

const OWNERS: [RegExp, string][] = [
  [/node_modules\/(socket\.io|socket\.io-adapter|socket\.io-parser|engine\.io|engine\.io-parser|ws)\//, "Socket.IO (live stream)"],
  [/node_modules\/better-sqlite3\//, "better-sqlite3"],
  [/node_modules\/@prisma\/adapter-better-sqlite3\//, "Prisma SQLite adapter"],
  [/node_modules\/(@prisma\/client|prisma)\/|wasm:\/\//, "Prisma client / query compiler"],
  [/node_modules\/jose\//, "jose (JWT)"],
  [/node_modules\/zod\//, "zod"],
  [/node_modules\/next\//, "Next.js"],
  [/node_modules\/(react|react-dom)\//, "React"],
  [/node_modules\/tsx\//, "tsx (loader)"],
  [/\/\.next\/server\//, "bundled code in .next (no source map entry)"],
  [new RegExp(`${ROOT}/(lib|app)/`), "our code (lib/, app/)"],
  [new RegExp(`${ROOT}/server\\.ts`), "our code (server.ts)"],
];

const maps = new Map<string, SourceMap | null>();

/**
 * Route handlers run from Next's bundles (.next/server/chunks), where our lib/ code and the
 * packages it bundles (jose, zod…) share one file: the build's source maps say which source
 * a frame came from.
 */
function originalSource(frame: ProfileNode["callFrame"]): string | undefined {
  if (!frame.url.includes("/.next/server/")) return undefined;
  const file = frame.url.startsWith("file:") ? fileURLToPath(frame.url) : frame.url;
  if (!maps.has(file)) {
    try {
      maps.set(file, new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, "utf8")) as SourceMapPayload));
    } catch {
      maps.set(file, null);
    }
  }
  const entry = maps.get(file)?.findEntry(frame.lineNumber, frame.columnNumber ?? 0);
  // findEntry answers {} for a position the map does not cover.
  return entry && "originalSource" in entry ? entry.originalSource.replace(/^.*\[project\]\//, `${process.cwd()}/`) : undefined;
}

function owner(frame: ProfileNode["callFrame"]): string | undefined {
  const url = originalSource(frame) ?? frame.url;
  for (const [pattern, name] of OWNERS) if (pattern.test(url)) return name;
  return undefined;
}

/** For our own code (lib/, app/), the file: where to look first. */
function ownFile(frame: ProfileNode["callFrame"]): string | undefined {
  const url = originalSource(frame) ?? frame.url;
  const match = new RegExp(`${ROOT}/((?:lib|app)/[^?#]+)`).exec(url);
  return match?.[1];
}

export function summarizeProfile(file: string, top = 25): string {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<number, number>();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const byBucket = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, hits] of counts) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const b = bucket(url, functionName);
    byBucket.set(b, (byBucket.get(b) ?? 0) + hits);
    const fn = `${functionName || "(anonymous)"} ${url ? `${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/work\/main\//, "")}:${lineNumber + 1}` : ""}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
  }
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byOwner = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, hits] of counts) {
    const leaf = byId.get(id)!.callFrame.functionName;
    let name: string | undefined = ["(idle)", "(garbage collector)", "(program)"].includes(leaf) ? leaf : undefined;
    let file: string | undefined;
    for (let at: number | undefined = id; !name && at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      name = owner(frame);
      if (name?.startsWith("our code")) file = ownFile(frame);
    }
    name ??= "Node.js (no package on the stack)";
    byOwner.set(name, (byOwner.get(name) ?? 0) + hits);
    if (file) byFile.set(file, (byFile.get(file) ?? 0) + hits);
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  const lines = [
    `CPU profile ${file}: ${total} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`,
    "",
    "Time by owner (nearest package on the stack):",
  ];
  for (const [b, n] of [...byOwner].sort((a, b) => b[1] - a[1])) lines.push(`  ${pct(n)}  ${b}`);
  lines.push("", "Our code, by file (time in the file and what it calls outside any package):");
  for (const [f, n] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(n)}  ${f}`);
  lines.push("", "Self time by module:");
  for (const [b, n] of [...byBucket].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(n)}  ${b}`);
  lines.push("", "Self time by function:");
  for (const [f, n] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(n)}  ${f}`);
  return lines.join("\n");
}

export function newestProfile(dir: string): string | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => path.join(dir, f));
  return files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}
