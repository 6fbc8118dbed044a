"""What an operator sees of a running process: structured logs with request ids, and Prometheus metrics."""
