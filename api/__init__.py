"""The HTTP service: JSON API, source viewer and the embeddable chat widget."""
