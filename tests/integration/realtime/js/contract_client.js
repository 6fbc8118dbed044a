// The contract's socket.io-client 4.x snippet, driven by test_realtime_js_client.py.
// Usage: node contract_client.js <url> <token> <ticketId>
// Prints one JSON line per step on stdout; the Python side triggers the action after the "joined" line.
// Exit codes: 0 = message:created received, 1 = connect_error, 2 = timed out.
const { io } = require('socket.io-client');

const [url, token, ticketArg] = process.argv.slice(2);
const ticketId = Number(ticketArg);
const say = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const timer = setTimeout(() => { say({ step: 'timeout' }); process.exit(2); }, 20000);

// As in the contract's snippet (default transports: polling first, then the upgrade to websocket).
const socket = io(url, { auth: { token }, reconnection: false });
socket.on('connect_error', (err) => { say({ step: 'connect_error', message: err.message }); process.exit(1); });
socket.on('error', (data) => say({ step: 'error', data }));
socket.on('connected', (data) => {
  say({ step: 'connected', userId: data.userId });
  // The contract's emit; the acknowledgement callback only tells the test the join was processed.
  socket.emit('join:ticket', ticketId, (answer) => say({ step: 'joined', answer }));
});
socket.on('message:created', (data) => {
  if (data.ticket.id !== ticketId) return;
  say({ step: 'message:created', body: data.message.body, messageTicketId: data.message.ticketId });
  clearTimeout(timer);
  socket.close();
  process.exit(0);
});
