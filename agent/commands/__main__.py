"""`python -m agent.commands ...`: the same as the `qwen-agent` console script."""

from agent.commands import main

raise SystemExit(main())
