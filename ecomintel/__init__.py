"""ecomintel: e-commerce intelligence for analysts. The core package; it never imports streamlit."""

__version__ = "0.1.0"
