"""Messenger adapters: they translate platform updates to `handlers.messages` and render replies."""
