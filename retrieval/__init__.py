"""From a question to a cited answer, by concept: embedding, vector indexes, retrievers,
question analysis, answering and the chat models behind generators."""
