"""The monthly fine-tune: examples from the graph, LoRA training, evaluation gate (#6)."""
