// Load generator for realtime_fanout.py --client node: N socket.io-client sockets in one Node process.
// Usage: node realtime_fanout_client.js <url> <sockets> <expectedDeliveries>
// Prints {"ready": n} once all are connected, then {"delays": [...ms]} when every delivery arrived (or after 60 s).
const { io } = require('socket.io-client');

const [url, countArg, expectedArg] = process.argv.slice(2);
const count = Number(countArg);
const expected = Number(expectedArg);
const delays = [];
let connected = 0;
let done = false;
const finish = () => {
  if (done) return;
  done = true;
  // exit only once the pipe has taken everything (a large line would be cut short otherwise)
  process.stdout.write(JSON.stringify({ delays }) + '\n', () => process.exit(0));
};
for (let i = 0; i < count; i++) {
  const socket = io(url, { auth: { token: `agent-${i + 1}` }, transports: ['websocket'], reconnection: false });
  socket.on('connected', () => {
    connected += 1;
    if (connected === count) {
      process.stdout.write(JSON.stringify({ ready: connected }) + '\n');
      setTimeout(finish, 60000);
    }
  });
  socket.on('ticket:updated', (data) => {
    delays.push(Date.now() - Date.parse(data.ticket.updatedAt));
    if (delays.length >= expected) finish();
  });
}
