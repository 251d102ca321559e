"""The performance framework: indicators (computed, register-derived, entered), the RAG rule, the overview."""
