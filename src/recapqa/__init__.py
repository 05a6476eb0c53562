"""recapqa: answers from conference notes, citing the talk and quoting the passage."""

__version__ = "0.1.0"
