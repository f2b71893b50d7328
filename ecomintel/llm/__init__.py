"""LLM access: provider clients (OpenAI-compatible, Gemini) behind one protocol, plus cost governance."""
