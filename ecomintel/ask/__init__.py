"""Ask: question → plan (router / offline / LLM planner) → parallel agents → one Report."""
