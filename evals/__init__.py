"""The fixed question set and the evaluation of retrieval and answers."""
