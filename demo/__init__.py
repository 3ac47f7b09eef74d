"""The demo library: procedurally synthesised songs in six styles, and the first-run bootstrap."""
