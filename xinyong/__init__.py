"""xinyong (信用): a public credit information platform for a province, its cities and counties."""

__version__ = "0.1.0"
