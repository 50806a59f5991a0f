"""arq workers and the stream-to-job bridge."""
