"""Answering: evidence units read from retrieved passages, the extractive reader,
language-model generators and the verifier."""
