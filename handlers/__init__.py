"""What the assistant does, independent of any messenger. Channels translate to and from these."""
