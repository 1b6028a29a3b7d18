"""The offline sync protocol: batched push, cursor pull, idempotent retries, field merge."""
