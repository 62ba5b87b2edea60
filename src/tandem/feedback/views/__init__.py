"""The pages of evaluate-and-adjust, one module per sub-domain."""
