"""Nexus operations as agent tools."""
