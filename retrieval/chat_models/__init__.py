"""Chat models behind the generators: a local Hugging Face causal LM, or any
OpenAI-compatible server."""
