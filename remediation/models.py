"""Remediation measures, monitoring visits and evidence per site (action plan ES4)."""
