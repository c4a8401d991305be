"""Grants, public links, groups, references and shared copies."""
