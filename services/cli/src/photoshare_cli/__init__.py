"""`photoshare`: the command-line client of a Photoshare site (talks to it over HTTP only)."""
