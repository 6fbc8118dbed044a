"""HTTP routes, one module per resource. Handlers stay thin: parse, call one use case, encode the wire shape."""
