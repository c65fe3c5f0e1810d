"""``xinyong demo``: a synthetic Zhejiang province, deterministic by seed (see docs/demo.md)."""
