"""server.controllers package."""
