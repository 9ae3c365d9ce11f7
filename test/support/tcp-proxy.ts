import net from "node:net";

/**
 * A TCP proxy for failure tests: a stand-in load balancer that can switch backends, or a
 * link to PostgreSQL that can be cut and restored, without touching the real services.
 */
export class TcpProxy {
  private server = net.createServer((client) => this.accept(client));
  private open = new Set<net.Socket>();
  private up = true;
  port = 0;

  constructor(private target: { host: string; port: number }) {}

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** New connections go to another backend from now on. */
  setTarget(target: { host: string; port: number }): void {
    this.target = target;
  }

  /** Cuts every connection and refuses new ones, as if the backend were down. */
  cut(): void {
    this.up = false;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  restore(): void {
    this.up = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (!this.up) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.open.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        this.open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}
