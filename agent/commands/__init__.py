"""The command line: one module per subcommand (`add_parser(sub)` + its handler), the shared
argument groups and `plan_from_args` in `common`, `main` in `main`."""

from agent.commands.main import VERSION, build_parser, main

__all__ = ["VERSION", "build_parser", "main"]
