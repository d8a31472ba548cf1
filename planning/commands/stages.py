"""`planning stages [list | set NAME open PCT | won | lost]`: the stage table imports decide by."""

from planning.commands.imports import register_stages as register
from planning.commands.imports import run_stages

__all__ = ["register", "run_stages"]
