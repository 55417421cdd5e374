"""The knowledge base: authored entries (files under faq/), Vietnamese normalisation and the matcher."""
