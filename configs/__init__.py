"""Behaviour profiles (*.toml); default.toml holds the shipped defaults. Shipped as package data."""
