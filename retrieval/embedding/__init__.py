"""Text embeddings: the sentence-transformers model, its ONNX/OpenVINO export and runtimes,
and the choice among them."""
