"""CLI subcommands: each module registers its own parser (see planning.cli)."""
