"""photoshare: the command-line client."""
