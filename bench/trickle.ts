import { performance } from "node:perf_hooks";
import { keepAliveAgent, send } from "@/bench/lib/http";
import { presignStatusWebhooks } from "@/bench/lib/presign";

/**
 * A steady trickle of signed webhooks from a process of its own (bench/lib/trickle.ts starts
 * it): one every `everyMs` while started, answering with the ack latencies when stopped. Its
 * own process, so the latencies are not those of a benchmark process busy reading an export.
 *
 * argv: server URL, signature secret, client_ref tag, interval ms, max webhooks.
 */

const [url, secret, tag, everyMs, max] = process.argv.slice(2) as [string, string, string, string, string];
const requests = presignStatusWebhooks(Number(max), secret, tag);
const agent = keepAliveAgent(8);
const base = new URL(url);

type Command = "warm" | "start" | "stop";

let timer: NodeJS.Timeout | undefined;
let latencies: number[] = [];
let not200 = 0;
let inflight: Promise<void>[] = [];

function fire(): void {
  const request = requests.pop();
  if (!request) return;
  const t0 = performance.now();
  inflight.push(
    send(agent, base, request, { timeoutMs: 30_000 }).then(
      (reply) => {
        latencies.push(performance.now() - t0);
        if (reply.status !== 200) not200++;
      },
      () => void not200++,
    ),
  );
}

async function obey(command: Command): Promise<void> {
  if (command === "warm") {
    fire();
    await Promise.all(inflight);
    inflight = [];
    latencies = [];
    not200 = 0;
    process.send!("warm");
  } else if (command === "start") {
    timer = setInterval(fire, Number(everyMs));
    process.send!("started");
  } else {
    clearInterval(timer);
    await Promise.all(inflight);
    process.send!({ latencies, not200 });
    inflight = [];
    latencies = [];
    not200 = 0;
  }
}

process.on("message", (command: Command) => void obey(command));
process.on("disconnect", () => {
  agent.destroy();
  process.exit(0);
});
process.send!("ready");
