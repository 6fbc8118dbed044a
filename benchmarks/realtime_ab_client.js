// Load generator for ab_realtime.py: N socket.io-client sockets in one Node process, spread over one or more servers.
// Usage: node realtime_ab_client.js <sockets> <url> [<url>...]   (socket i connects to url i % count)
// Prints {"ready": n} once every socket got `connected`. Then, for each line {"expect": k, "timeoutMs": t} read on
// stdin, it answers {"armed": k}, counts ticket:updated and message:created deliveries from zero and prints
// {"delays": [[ms...] per url]} once k arrived or t ms passed. A delivery's delay is its arrival time minus the ticket's updatedAt (stamped when
// the server published it).
const { io } = require('socket.io-client');
const readline = require('readline');

const [countArg, ...urls] = process.argv.slice(2);
const count = Number(countArg);
let delays = urls.map(() => []);
let received = 0;
let expected = Infinity;
let timer = null;
let connected = 0;

const report = () => {
  if (timer === null) return;
  clearTimeout(timer);
  timer = null;
  expected = Infinity;
  process.stdout.write(JSON.stringify({ delays }) + '\n');
};
const onEvent = (server) => (data) => {
  delays[server].push(Date.now() - Date.parse(data.ticket.updatedAt));
  received += 1;
  if (received >= expected) report();
};
for (let i = 0; i < count; i++) {
  const server = i % urls.length;
  const socket = io(urls[server], { auth: { token: `agent-${i + 1}` }, transports: ['websocket'], reconnection: false });
  socket.on('connected', () => {
    connected += 1;
    if (connected === count) process.stdout.write(JSON.stringify({ ready: connected }) + '\n');
  });
  socket.on('ticket:updated', onEvent(server));
  socket.on('message:created', onEvent(server));
}
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const { expect, timeoutMs } = JSON.parse(line);
  delays = urls.map(() => []);
  received = 0;
  expected = expect;
  timer = setTimeout(report, timeoutMs);
  process.stdout.write(JSON.stringify({ armed: expect }) + '\n');
});
