"""The entry point: the queue, recording a request, the partner's form and "my requests"."""
