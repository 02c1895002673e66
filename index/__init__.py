"""The vector index: embeddings, Chroma store, French BM25 and hybrid retrieval."""
