// Run by lib/http/acceptors.ts in a child process: sends the listening socket it is given back
// to the parent `count` times. Each copy arrives as a new file descriptor for the same socket.
// The socket comes and goes as a bare handle, so this process never listens on it itself (it
// would take connections nobody serves).
const count = Number(process.argv[2]);

// `on`, not `once`: with no listener left, the IPC channel no longer keeps this process alive.
process.on("message", async (_message, handle) => {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve, reject) =>
      process.send("copy", handle, { keepOpen: true }, (error) => (error ? reject(error) : resolve())),
    );
  }
  handle.close();
  process.disconnect();
});
