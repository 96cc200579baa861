"""The agent: the perceive -> think -> act loop, model backends, prompts and the CLI."""
