"""Analysis agents. Each is a small class registered by name in `ecomintel.agents.base.REGISTRY`."""
